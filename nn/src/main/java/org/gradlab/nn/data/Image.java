package org.gradlab.nn.data;

import java.util.Arrays;

/**
 * An 8-bit image, H×W×C interleaved (HWC, row-major), C = 1 (grayscale) or 3 (RGB): pixel
 * (y, x, ch) is {@code data[(y*w + x)*c + ch] & 0xFF}.
 *
 * <p>NOTE: images are treated as immutable: transforms never write into their input, they return
 * a new image. {@link #pixels()} exposes the backing array for fast kernels; callers must not
 * modify it.
 */
public final class Image {
    private final int h;
    private final int w;
    private final int c;
    private final byte[] data;

    private Image(int h, int w, int c, byte[] data) {
        if (h <= 0 || w <= 0 || (c != 1 && c != 3)) {
            throw new IllegalArgumentException("image: expected h,w > 0 and c in {1,3}, got h=" + h + " w=" + w + " c=" + c);
        }
        if (data.length != h * w * c) {
            throw new IllegalArgumentException("image: " + h + "x" + w + "x" + c + " needs " + (h * w * c)
                    + " bytes, got " + data.length);
        }
        this.h = h;
        this.w = w;
        this.c = c;
        this.data = data;
    }

    /** Wraps {@code data} (HWC) without copying; the caller hands over ownership. */
    public static Image wrap(int h, int w, int c, byte[] data) {
        return new Image(h, w, c, data);
    }

    /** Copies {@code h*w*c} bytes from {@code src[offset..]}. */
    public static Image copyOf(int h, int w, int c, byte[] src, int offset) {
        return new Image(h, w, c, Arrays.copyOfRange(src, offset, offset + h * w * c));
    }

    /** A zero (black) image. */
    public static Image blank(int h, int w, int c) {
        return new Image(h, w, c, new byte[h * w * c]);
    }

    public int height() {
        return h;
    }

    public int width() {
        return w;
    }

    public int channels() {
        return c;
    }

    /** Backing HWC bytes (do not modify). */
    public byte[] pixels() {
        return data;
    }

    /** Pixel value 0..255. */
    public int get(int y, int x, int ch) {
        return data[(y * w + x) * c + ch] & 0xFF;
    }

    public boolean sameShape(Image o) {
        return h == o.h && w == o.w && c == o.c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Image im && sameShape(im) && Arrays.equals(data, im.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + h * 7 + w * 3 + c;
    }

    @Override
    public String toString() {
        return "Image(" + h + "x" + w + "x" + c + ")";
    }
}
