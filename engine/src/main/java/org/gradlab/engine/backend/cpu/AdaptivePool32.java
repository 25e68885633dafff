package org.gradlab.engine.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * float32 adaptive average pooling, the fast version of {@link PoolReference#adaptive} (tested
 * against it, PoolF32PathTest): bin (i, j) of an ho x wo output covers rows floor(i*h/ho) ..
 * ceil((i+1)*h/ho) - 1 and the same for columns; out = mean over the bin;
 * dL/dx = dL/dout / (bin size) at every position of each bin that holds it (overlapping bins add).
 *
 * <p>Blocks of whole planes are staged into heap arrays ({@link HeapStage}, one bulk copy each
 * way) and split across threads. A bin spanning whole rows (global pooling: squeeze-excitation,
 * classifier heads) is ONE contiguous run, summed by {@link RowLoops32#sum} (eight float partial
 * sums combined in double); its gradient is one fill. Global pooling skips the bin bounds per
 * plane: on EfficientNet's 2x2 and 4x4 planes their integer divisions cost as much as the sum.
 */
final class AdaptivePool32 {
    /** Floats staged per block of planes at most (unless one plane is larger). */
    private static final int BLOCK_FLOATS = 1 << 14;

    private AdaptivePool32() {}

    /** out (planes x ho x wo, written whole from 0) = the bin means of x's planes (h x w each, from xo). */
    static void forward(FloatBuffer x, int xo, FloatBuffer out, int planes, int h, int w, int ho, int wo) {
        int hw = h * w;
        int per = Math.max(1, BLOCK_FLOATS / Math.max(1, hw));
        Parallel.forChunks(planes, Parallel.grain(hw), (c, p0, p1) -> {
            for (int b0 = p0; b0 < p1; b0 += per) {
                int b1 = Math.min(p1, b0 + per);
                float[] xs = HeapStage.load(0, x, xo + b0 * hw, (b1 - b0) * hw);
                float[] os = HeapStage.scratch(1, (b1 - b0) * ho * wo);
                if (ho == 1 && wo == 1) { // global: no bin bounds per plane (they cost as much as a 2x2 plane's sum)
                    for (int pl = 0; pl < b1 - b0; pl++) {
                        os[pl] = (float) (RowLoops32.sum(xs, pl * hw, hw) / hw);
                    }
                    HeapStage.store(os, out, b0, b1 - b0);
                    continue;
                }
                for (int pl = 0; pl < b1 - b0; pl++) {
                    for (int oh = 0; oh < ho; oh++) {
                        int hs = PoolReference.binStart(oh, h, ho);
                        int he = PoolReference.binEnd(oh, h, ho);
                        for (int ow = 0; ow < wo; ow++) {
                            int ws = PoolReference.binStart(ow, w, wo);
                            int we = PoolReference.binEnd(ow, w, wo);
                            double sum = 0;
                            if (ws == 0 && we == w) { // whole rows: one run
                                sum = RowLoops32.sum(xs, pl * hw + hs * w, (he - hs) * w);
                            } else {
                                for (int ih = hs; ih < he; ih++) {
                                    sum += RowLoops32.sum(xs, pl * hw + ih * w + ws, we - ws);
                                }
                            }
                            os[(pl * ho + oh) * wo + ow] = (float) (sum / ((he - hs) * (we - ws)));
                        }
                    }
                }
                HeapStage.store(os, out, b0 * ho * wo, (b1 - b0) * ho * wo);
            }
        });
    }

    /** gx (planes x h x w, written whole from 0) = dL/dx for the gradient g (planes x ho x wo, from go). */
    static void backward(FloatBuffer g, int go, FloatBuffer gx, int planes, int h, int w, int ho, int wo) {
        int hw = h * w;
        int per = Math.max(1, BLOCK_FLOATS / Math.max(1, hw));
        Parallel.forChunks(planes, Parallel.grain(hw), (c, p0, p1) -> {
            for (int b0 = p0; b0 < p1; b0 += per) {
                int b1 = Math.min(p1, b0 + per);
                float[] gs = HeapStage.load(0, g, go + b0 * ho * wo, (b1 - b0) * ho * wo);
                float[] xs = HeapStage.scratch(1, (b1 - b0) * hw);
                if (ho == 1 && wo == 1) { // one bin covers each plane: no bin bounds, one fill per plane
                    for (int pl = 0; pl < b1 - b0; pl++) {
                        Arrays.fill(xs, pl * hw, (pl + 1) * hw, (float) ((double) gs[pl] / hw));
                    }
                    HeapStage.store(xs, gx, b0 * hw, (b1 - b0) * hw);
                    continue;
                }
                Arrays.fill(xs, 0, (b1 - b0) * hw, 0f);
                for (int pl = 0; pl < b1 - b0; pl++) {
                    for (int oh = 0; oh < ho; oh++) {
                        int hs = PoolReference.binStart(oh, h, ho);
                        int he = PoolReference.binEnd(oh, h, ho);
                        for (int ow = 0; ow < wo; ow++) {
                            int ws = PoolReference.binStart(ow, w, wo);
                            int we = PoolReference.binEnd(ow, w, wo);
                            float v = (float) ((double) gs[(pl * ho + oh) * wo + ow] / ((he - hs) * (we - ws)));
                            for (int ih = hs; ih < he; ih++) {
                                int row = pl * hw + ih * w;
                                for (int iw = ws; iw < we; iw++) {
                                    xs[row + iw] += v;
                                }
                            }
                        }
                    }
                }
                HeapStage.store(xs, gx, b0 * hw, (b1 - b0) * hw);
            }
        });
    }
}
