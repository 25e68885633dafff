package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.backend.PoolKernels.Pool2dParams;

/**
 * float32 max pooling with any window, on heap arrays the caller stages the whole tensor into
 * (one bulk copy each way, {@link HeapStage}): the fast version of {@link PoolReference}'s
 * max loops (tested against them, PoolF32PathTest). The 2x2 stride-2 window has its own
 * path, {@link MaxPoolPair32}.
 */
final class MaxPool32 {
    private MaxPool32() {}

    /**
     * Float32 max pool on staged arrays. NOTE: {@code Math.max} keeps the loop branch-free and
     * propagates NaN, as PyTorch does; padding never enters a window (windows are clipped).
     */
    static void forward(float[] x, float[] out, int planes, int h, int w, int ho, int wo, Pool2dParams p) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    float bv = Float.NEGATIVE_INFINITY;
                    for (int ih = hs; ih < he; ih++) {
                        int row = xp + ih * w;
                        for (int iw = ws; iw < we; iw++) {
                            bv = Math.max(bv, x[row + iw]);
                        }
                    }
                    out[op + oh * wo + ow] = bv;
                }
            }
        }
    }

    /** Routes g to the FIRST maximum of each window (row-major; NaN: see {@link #beats}); general windows. */
    static void backward(float[] g, float[] x, float[] gx, int planes, int h, int w, int ho,
                                       int wo, Pool2dParams p) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int gp = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    int best = xp + hs * w + ws;
                    float bv = Float.NEGATIVE_INFINITY;
                    for (int ih = hs; ih < he; ih++) {
                        int row = xp + ih * w;
                        for (int iw = ws; iw < we; iw++) {
                            float v = x[row + iw];
                            boolean take = beats(v, bv);
                            best = take ? row + iw : best;
                            bv = take ? v : bv;
                        }
                    }
                    gx[best] += g[gp + oh * wo + ow];
                }
            }
        }
    }

    /**
     * Whether a later window element v replaces the current maximum bv: PyTorch's
     * {@code val > maxval || isnan(val)}. NOTE: so among equal maxima the FIRST wins, and among
     * NaNs the LAST one does.
     */
    private static boolean beats(float v, float bv) {
        return v > bv || v != v;
    }
}
