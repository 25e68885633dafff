package org.gradlab.engine.backend.cpu;

/**
 * float32 max pooling with the 2x2, stride-2, unpadded window every challenge CNN uses, read and
 * written in place in off-heap memory ({@link OffHeap}): the windows are strided, so the JIT
 * would not vectorise these loops over heap arrays either, and staging copies cost as much as
 * the loops themselves (three passes over x per backward).
 *
 * <p>Forward: out = max(x00, x01, x10, x11), with {@code Math.max} (branch-free; NaN propagates,
 * as in PyTorch). Backward: dL/dx = dL/dout at the FIRST element (row-major) equal to the
 * window's maximum, 0 at the three others.
 */
final class MaxPoolPair32 {
    private MaxPoolPair32() {}

    /** out (planes, ho, wo) = window maxima of x (planes, h, w); addresses from {@link OffHeap#floats}. */
    static void forward(long x, long out, int planes, int h, int w, int ho, int wo) {
        int hw = h * w;
        for (int pl = 0, o = 0; pl < planes; pl++) {
            for (int oh = 0; oh < ho; oh++) {
                int r0 = pl * hw + 2 * oh * w;
                int r1 = r0 + w;
                for (int ow = 0; ow < wo; ow++, o++) {
                    int c = 2 * ow;
                    // Math.max: a compare-and-branch would mispredict every other window on random signs
                    float top = Math.max(OffHeap.get(x, r0 + c), OffHeap.get(x, r0 + c + 1));
                    float bottom = Math.max(OffHeap.get(x, r1 + c), OffHeap.get(x, r1 + c + 1));
                    OffHeap.put(out, o, Math.max(top, bottom));
                }
            }
        }
    }

    /**
     * gx = g routed to the first maximum of each window, using the forward's {@code out}. Writes
     * every element the windows cover; rows/columns left over by an odd h or w are not touched.
     * NOTE: a window holding a NaN (out is NaN) routes to its LAST NaN, PyTorch's rule
     * ({@code val > maxval || isnan(val)}).
     */
    static void backward(long g, long x, long out, long gx, int planes, int h, int w, int ho, int wo) {
        int hw = h * w;
        for (int pl = 0, o = 0; pl < planes; pl++) {
            for (int oh = 0; oh < ho; oh++) {
                int r0 = pl * hw + 2 * oh * w;
                int r1 = r0 + w;
                for (int ow = 0; ow < wo; ow++, o++) {
                    int i0 = r0 + 2 * ow;
                    int i2 = r1 + 2 * ow;
                    float x0 = OffHeap.get(x, i0);
                    float x1 = OffHeap.get(x, i0 + 1);
                    float x2 = OffHeap.get(x, i2);
                    float x3 = OffHeap.get(x, i2 + 1);
                    float m = OffHeap.get(out, o);
                    int gb = Float.floatToRawIntBits(OffHeap.get(g, o)); // masked by bits: an infinite g stays put
                    int f0;
                    int f1;
                    int f2;
                    int f3;
                    if (m == m) {
                        // the FIRST element equal to the maximum, with integer masks instead of
                        // branches (a branch per window mispredicts on random data)
                        f0 = same(x0, m);
                        f1 = same(x1, m) & (f0 ^ 1);
                        int taken = f0 | f1;
                        f2 = same(x2, m) & (taken ^ 1);
                        f3 = (taken | f2) ^ 1;
                    } else { // rare: the last NaN wins
                        f3 = x3 != x3 ? 1 : 0;
                        f2 = x2 != x2 && f3 == 0 ? 1 : 0;
                        f1 = x1 != x1 && (f2 | f3) == 0 ? 1 : 0;
                        f0 = (f1 | f2 | f3) ^ 1;
                    }
                    OffHeap.put(gx, i0, Float.intBitsToFloat(gb & -f0));
                    OffHeap.put(gx, i0 + 1, Float.intBitsToFloat(gb & -f1));
                    OffHeap.put(gx, i2, Float.intBitsToFloat(gb & -f2));
                    OffHeap.put(gx, i2 + 1, Float.intBitsToFloat(gb & -f3));
                }
            }
        }
    }

    /** 1 if a == b as floats (b not NaN; -0 equals +0), else 0, without a branch. */
    private static int same(float a, float b) {
        int d = Float.floatToRawIntBits(a + 0f) ^ Float.floatToRawIntBits(b + 0f);
        return ((d | -d) >>> 31) ^ 1;
    }
}
