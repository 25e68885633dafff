package org.gradlab.nn.data.transforms;

import org.gradlab.nn.data.Image;

/**
 * Bit-exact ports of Pillow 9.x colour kernels used by torchvision 0.14's PIL path
 * ({@code ImageEnhance}, {@code Image.blend}, {@code convert("L")}, {@code convert("HSV")}).
 *
 * <p>NOTE (rounding, reproduced exactly):
 * <ul>
 * <li>L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16 (ITU-R 601-2 in 16.16 fixed point,
 *     rounded), Convert.c {@code L24}.</li>
 * <li>blend(d, img, α) = d + α (img - d) computed in float32 with α = (float) factor, truncated
 *     to uint8; for α outside [0,1] clipped to [0,255] first (Blend.c).</li>
 * <li>Contrast's degenerate is the constant {@code int(mean(L) + 0.5)} (ImageStat mean, rounded
 *     half up) — not torchvision's tensor-path float mean.</li>
 * <li>HSV uses Pillow's float/double mix of {@code rgb2hsv_row}/{@code hsv2rgb} with C
 *     {@code round} (half away from zero).</li>
 * </ul>
 */
public final class PilColor {
    private PilColor() {
    }

    /** Pillow {@code convert("L")} luma of one RGB pixel. */
    public static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    /** Grayscale (1 channel) of an RGB image; a 1-channel image is returned as is. */
    public static Image toL(Image img) {
        if (img.channels() == 1) {
            return img;
        }
        byte[] in = img.pixels();
        int n = img.height() * img.width();
        byte[] out = new byte[n];
        for (int i = 0, j = 0; i < n; i++, j += 3) {
            out[i] = (byte) luma(in[j] & 0xFF, in[j + 1] & 0xFF, in[j + 2] & 0xFF);
        }
        return Image.wrap(img.height(), img.width(), 1, out);
    }

    /** Pillow blend of one value: degenerate {@code d}, image {@code v}. */
    static int blend(int d, int v, float alpha, boolean extrapolate) {
        float t = d + alpha * (v - d);
        if (!extrapolate) {
            return (int) t;
        }
        return t <= 0.0f ? 0 : t >= 255.0f ? 255 : (int) t;
    }

    private static boolean extrapolates(float a) {
        return !(a >= 0 && a <= 1.0f);
    }

    /** ImageEnhance.Brightness(img).enhance(f): blend with black. */
    public static Image brightness(Image img, double factor) {
        float a = (float) factor;
        boolean ex = extrapolates(a);
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (byte) blend(0, in[i] & 0xFF, a, ex);
        }
        return Image.wrap(img.height(), img.width(), img.channels(), out);
    }

    /** {@code int(ImageStat.Stat(img.convert("L")).mean[0] + 0.5)}. */
    public static int grayMeanRounded(Image img) {
        byte[] l = toL(img).pixels();
        long sum = 0;
        for (byte b : l) {
            sum += b & 0xFF;
        }
        return (int) ((double) sum / l.length + 0.5);
    }

    /** ImageEnhance.Contrast(img).enhance(f): blend with the constant rounded gray mean. */
    public static Image contrast(Image img, double factor) {
        int mean = grayMeanRounded(img);
        float a = (float) factor;
        boolean ex = extrapolates(a);
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (byte) blend(mean, in[i] & 0xFF, a, ex);
        }
        return Image.wrap(img.height(), img.width(), img.channels(), out);
    }

    /** ImageEnhance.Color(img).enhance(f): blend with the L image (identity for 1 channel). */
    public static Image saturation(Image img, double factor) {
        if (img.channels() == 1) {
            return img;
        }
        float a = (float) factor;
        boolean ex = extrapolates(a);
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int j = 0; j < in.length; j += 3) {
            int r = in[j] & 0xFF, g = in[j + 1] & 0xFF, b = in[j + 2] & 0xFF;
            int l = luma(r, g, b);
            out[j] = (byte) blend(l, r, a, ex);
            out[j + 1] = (byte) blend(l, g, a, ex);
            out[j + 2] = (byte) blend(l, b, a, ex);
        }
        return Image.wrap(img.height(), img.width(), img.channels(), out);
    }

    /**
     * torchvision {@code F_pil.adjust_hue}: RGB→HSV (Pillow), H += uint8(hue*255) mod 256,
     * HSV→RGB. hue in [-0.5, 0.5]; 1-channel images are returned unchanged.
     * NOTE: {@code np.uint8(hue*255)} truncates toward zero then wraps (negative hues).
     */
    public static Image hue(Image img, double hueFactor) {
        if (hueFactor < -0.5 || hueFactor > 0.5) {
            throw new IllegalArgumentException("hue factor must be in [-0.5, 0.5], got " + hueFactor);
        }
        if (img.channels() == 1) {
            return img;
        }
        int shift = ((int) (hueFactor * 255)) & 0xFF;
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int j = 0; j < in.length; j += 3) {
            int r = in[j] & 0xFF, g = in[j + 1] & 0xFF, b = in[j + 2] & 0xFF;
            int max = Math.max(r, Math.max(g, b)), min = Math.min(r, Math.min(g, b));
            int hh = 0, ss = 0;
            if (max != min) {
                float cr = max - min;
                float s = cr / (float) max;
                float rc = (max - r) / cr, gc = (max - g) / cr, bc = (max - b) / cr;
                float h;
                if (r == max) {
                    h = bc - gc;
                } else if (g == max) {
                    h = (float) (2.0 + rc - bc);
                } else {
                    h = (float) (4.0 + gc - rc);
                }
                h = (float) ((h / 6.0 + 1.0) % 1.0);
                hh = clip8((int) (h * 255.0));
                ss = clip8((int) (s * 255.0));
            }
            hsv2rgb((hh + shift) & 0xFF, ss, max, out, j);
        }
        return Image.wrap(img.height(), img.width(), 3, out);
    }

    private static void hsv2rgb(int h, int s, int v, byte[] out, int j) {
        int r, g, b;
        if (s == 0) {
            r = g = b = v;
        } else {
            int i = (int) Math.floor((float) h * 6.0 / 255.0);
            float f = (float) ((float) h * 6.0 / 255.0 - (float) i);
            float fs = (float) ((float) s / 255.0);
            int p = clip8(cRound((float) v * (1.0 - fs)));
            int q = clip8(cRound((float) v * (1.0 - fs * f)));
            int t = clip8(cRound((float) v * (1.0 - fs * (1.0 - f))));
            switch (i % 6) {
                case 0 -> { r = v; g = t; b = p; }
                case 1 -> { r = q; g = v; b = p; }
                case 2 -> { r = p; g = v; b = t; }
                case 3 -> { r = p; g = q; b = v; }
                case 4 -> { r = t; g = p; b = v; }
                default -> { r = v; g = p; b = q; }
            }
        }
        out[j] = (byte) r;
        out[j + 1] = (byte) g;
        out[j + 2] = (byte) b;
    }

    /** C {@code round}: half away from zero. */
    private static int cRound(double x) {
        double a = Math.floor(Math.abs(x));
        if (Math.abs(x) - a >= 0.5) {
            a += 1;
        }
        return (int) Math.copySign(a, x);
    }

    private static int clip8(int v) {
        return v <= 0 ? 0 : Math.min(v, 255);
    }
}
