package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/**
 * torchvision {@code Resize([h, w])} on the PIL path = Pillow 9.x {@code Image.resize((w, h),
 * BILINEAR)} (libImaging/Resample.c), bit-exact.
 *
 * <p>Separable, two passes, horizontal first, each rounded to uint8. For one axis of input size
 * {@code in} and output size {@code out}: {@code scale = in/out}, {@code fs = max(scale, 1)}
 * (the triangle filter is stretched by the scale when DOWNsampling, an antialiasing filter),
 * {@code support = fs}. Output pixel {@code o} reads inputs {@code xmin .. xmax-1} around
 * {@code centre = (o + 0.5) * scale} with {@code xmin = max(0, (int)(centre - support + 0.5))},
 * {@code xmax = min(in, (int)(centre + support + 0.5))}, weights
 * {@code w_x = tri((x - centre + 0.5) * (1/fs))}, {@code tri(t) = max(0, 1 - |t|)}, divided by their
 * sum.
 *
 * <p>NOTE (Pillow's integer arithmetic, reproduced exactly): the normalised weights become
 * fixed point with 22 fraction bits, {@code k = (int)(w * 2^22 ± 0.5)} (rounded away from zero);
 * a pass computes {@code acc = 2^21 + sum(pixel * k)} and stores {@code clamp(acc >> 22, 0, 255)}.
 * The horizontal pass runs only over the input rows the vertical pass will read. A pass whose
 * size does not change is skipped (a copy). Channels are resampled independently.
 */
public final class Resize implements Transform {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private final int height;
    private final int width;

    /** Resize to {@code height x width} pixels. */
    public Resize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("Resize: expected a positive size, got " + height + "x" + width);
        }
        this.height = height;
        this.width = width;
    }

    /** Square output, torchvision {@code Resize((size, size))}. */
    public Resize(int size) {
        this(size, size);
    }

    @Override
    public Image apply(Image img, Generator rng) {
        return resize(img, height, width);
    }

    /** {@code img} resized to {@code outH x outW} with Pillow's bilinear filter. */
    public static Image resize(Image img, int outH, int outW) {
        int h = img.height(), w = img.width(), c = img.channels();
        if (h == outH && w == outW) {
            return img;
        }
        Coefficients vert = Coefficients.of(h, outH);
        int firstRow = vert.start[0];
        int lastRow = vert.start[outH - 1] + vert.count[outH - 1];
        byte[] rows;
        int rowsH;
        if (w != outW) {
            Coefficients horiz = Coefficients.of(w, outW);
            rowsH = lastRow - firstRow;
            rows = new byte[rowsH * outW * c];
            horizontal(img.pixels(), w, c, firstRow, rowsH, horiz, outW, rows);
        } else {
            rows = img.pixels();
            rowsH = h;
            firstRow = 0;
        }
        if (h == outH) {
            return Image.wrap(outH, outW, c, rows == img.pixels() ? rows.clone() : rows);
        }
        byte[] out = new byte[outH * outW * c];
        vertical(rows, outW, c, firstRow, vert, outH, out);
        return Image.wrap(outH, outW, c, out);
    }

    private static void horizontal(byte[] in, int inW, int c, int firstRow, int rowsH, Coefficients k, int outW, byte[] out) {
        for (int y = 0; y < rowsH; y++) {
            int inRow = (y + firstRow) * inW * c;
            int outRow = y * outW * c;
            for (int x = 0; x < outW; x++) {
                int s = k.start[x], n = k.count[x], kb = x * k.size;
                for (int ch = 0; ch < c; ch++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < n; i++) {
                        acc += (in[inRow + (s + i) * c + ch] & 0xFF) * k.fixed[kb + i];
                    }
                    out[outRow + x * c + ch] = clip8(acc);
                }
            }
        }
    }

    private static void vertical(byte[] in, int w, int c, int firstRow, Coefficients k, int outH, byte[] out) {
        int stride = w * c;
        for (int y = 0; y < outH; y++) {
            int s = k.start[y] - firstRow, n = k.count[y], kb = y * k.size;
            for (int j = 0; j < stride; j++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < n; i++) {
                    acc += (in[(s + i) * stride + j] & 0xFF) * k.fixed[kb + i];
                }
                out[y * stride + j] = clip8(acc);
            }
        }
    }

    private static byte clip8(int acc) {
        if (acc >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        if (acc <= 0) {
            return 0;
        }
        return (byte) (acc >> PRECISION_BITS);
    }

    /** One axis' taps: output i reads inputs start[i] .. start[i]+count[i]-1 with weights fixed[i*size ..]. */
    private record Coefficients(int[] start, int[] count, int[] fixed, int size) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // bilinear support 1.0, stretched when downsampling
            int size = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] fixed = new int[outSize * size];
            double[] w = new double[size];
            double inverseScale = 1.0 / filterScale;
            for (int o = 0; o < outSize; o++) {
                double centre = (o + 0.5) * scale;
                int xmin = Math.max(0, (int) (centre - support + 0.5));
                int xmax = Math.min(inSize, (int) (centre + support + 0.5)) - xmin;
                double sum = 0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = triangle((x + xmin - centre + 0.5) * inverseScale);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0 ? w[x] / sum : w[x];
                    fixed[o * size + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                start[o] = xmin;
                count[o] = xmax;
            }
            return new Coefficients(start, count, fixed, size);
        }

        private static double triangle(double t) {
            double a = Math.abs(t);
            return a < 1.0 ? 1.0 - a : 0.0;
        }
    }
}
