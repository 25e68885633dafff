package org.gradlab.engine.backend.cpu;

/**
 * float32 max pooling with the 2x2, stride-2, unpadded window every challenge CNN uses (the fast
 * version of {@link PoolReference}'s max loops, tested against them, PoolF32PathTest), read and
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
     * every element of gx: the rows and columns no window covers (an odd h or w) get 0, here in
     * the chunk rather than by zeroing the whole gradient first on the calling thread.
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
                    float m = OffHeap.get(out, o);
                    int best;
                    if (m == m) {
                        // the FIRST element equal to the maximum: selects the JIT turns into
                        // conditional moves (a branch per window mispredicts on random data;
                        // -0 == +0 as in PyTorch's compare)
                        best = x2 == m ? i2 : i2 + 1;
                        best = x1 == m ? i0 + 1 : best;
                        best = x0 == m ? i0 : best;
                    } else { // rare: the last NaN wins
                        float x3 = OffHeap.get(x, i2 + 1);
                        best = x3 != x3 ? i2 + 1 : x2 != x2 ? i2 : x1 != x1 ? i0 + 1 : i0;
                    }
                    OffHeap.put(gx, i0, 0f);
                    OffHeap.put(gx, i0 + 1, 0f);
                    OffHeap.put(gx, i2, 0f);
                    OffHeap.put(gx, i2 + 1, 0f);
                    OffHeap.put(gx, best, OffHeap.get(g, o));
                }
                for (int col = 2 * wo; col < w; col++) { // a column no window covers, while these rows are in cache
                    OffHeap.put(gx, r0 + col, 0f);
                    OffHeap.put(gx, r1 + col, 0f);
                }
            }
            for (int i = pl * hw + 2 * ho * w; i < (pl + 1) * hw; i++) { // rows no window covers
                OffHeap.put(gx, i, 0f);
            }
        }
    }
}
