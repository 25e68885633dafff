package org.gradlab.engine.backend.cpu;

import java.nio.DoubleBuffer;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;

/**
 * The float64 REFERENCE pooling loops (every float64 pool runs them; the float32 max-pool paths
 * {@link MaxPool32} and {@link MaxPoolPair32} are tested against them, PoolF32PathTest), over
 * contiguous NCHW tensors seen as {@code planes = N*C} planes of h x w.
 *
 * <p>The window of output (oh, ow) covers input rows oh*sh - ph .. oh*sh - ph + kh - 1 and
 * columns ow*sw - pw .. ow*sw - pw + kw - 1; padding positions never enter a max or a sum.
 * <ul>
 *   <li>max: out = max over the window; dL/dx = dL/dout at the window's FIRST maximum in
 *       row-major order (ties: strict {@code >}), 0 elsewhere. NOTE: NaN counts as the maximum,
 *       PyTorch's {@code val > maxval || isnan(val)}, so among NaNs the LAST one is selected.
 *   <li>avg: out = (sum over the window) / divisor; dL/dx += dL/dout / divisor at every window
 *       position. Divisor: the window clipped to the padded input (kh*kw with ceil_mode off) when
 *       countIncludePad, else the number of real input positions in it.
 *   <li>adaptive avg: bin (i, j) of an ho x wo output covers rows floor(i*h/ho) ..
 *       ceil((i+1)*h/ho) - 1 and the same for columns; out = mean over the bin.
 * </ul>
 * Offsets: x, g and src are read from their offset, out, idx and gx are written from 0.
 */
final class PoolReference {
    private PoolReference() {}

    /**
     * The index ih*w + iw (within its plane, which starts at {@code plane}) of the selected
     * maximum of input rows [hs, he) and columns [ws, we).
     */
    static int argmax(DoubleBuffer x, int plane, int w, int hs, int he, int ws, int we) {
        int best = hs * w + ws;
        double bv = Double.NEGATIVE_INFINITY;
        for (int ih = hs; ih < he; ih++) {
            for (int iw = ws; iw < we; iw++) {
                double v = x.get(plane + ih * w + iw);
                if (v > bv || Double.isNaN(v)) {
                    bv = v;
                    best = ih * w + iw;
                }
            }
        }
        return best;
    }

    /** Max pool: writes out (if non-null) and the selected index ih*w + iw (if idx is non-null). */
    static void maxForward(DoubleBuffer x, int xo, DoubleBuffer out, DoubleBuffer idx, int planes, int h, int w, int ho,
                           int wo, Pool2dParams p) {
        for (int pl = 0; pl < planes; pl++) {
            int plane = xo + pl * h * w;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    int best = argmax(x, plane, w, hs, he, ws, we);
                    int o = (pl * ho + oh) * wo + ow;
                    if (out != null) {
                        out.put(o, x.get(plane + best));
                    }
                    if (idx != null) {
                        idx.put(o, best);
                    }
                }
            }
        }
    }

    /** Max pool backward: gx (zero-filled) += g routed to each window's selected maximum. */
    static void maxBackward(DoubleBuffer g, int go, DoubleBuffer x, int xo, DoubleBuffer gx, int planes, int h, int w,
                            int ho, int wo, Pool2dParams p) {
        for (int pl = 0; pl < planes; pl++) {
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    int at = pl * h * w + argmax(x, xo + pl * h * w, w, hs, he, ws, we);
                    gx.put(at, gx.get(at) + g.get(go + (pl * ho + oh) * wo + ow));
                }
            }
        }
    }

    /**
     * Average pool forward, or its backward when {@code back} (src = g, dst = gx zero-filled,
     * dst += g / divisor over each window): the window and divisor of the class comment.
     */
    static void avg(DoubleBuffer src, int so, DoubleBuffer dst, int planes, int h, int w, int ho, int wo, Pool2dParams p,
                    boolean countIncludePad, boolean back) {
        for (int pl = 0; pl < planes; pl++) {
            for (int oh = 0; oh < ho; oh++) {
                int hs0 = oh * p.strideH() - p.padH();
                int he0 = Math.min(hs0 + p.kH(), h + p.padH());
                for (int ow = 0; ow < wo; ow++) {
                    int ws0 = ow * p.strideW() - p.padW();
                    int we0 = Math.min(ws0 + p.kW(), w + p.padW());
                    int hs = Math.max(hs0, 0);
                    int he = Math.min(he0, h);
                    int ws = Math.max(ws0, 0);
                    int we = Math.min(we0, w);
                    int divisor = countIncludePad ? (he0 - hs0) * (we0 - ws0) : (he - hs) * (we - ws);
                    window(src, so, dst, pl, h, w, (pl * ho + oh) * wo + ow, hs, he, ws, we, divisor, back);
                }
            }
        }
    }

    /** Adaptive average pool forward, or its backward when {@code back} (dst zero-filled): bins of the class comment. */
    static void adaptive(DoubleBuffer src, int so, DoubleBuffer dst, int planes, int h, int w, int ho, int wo,
                         boolean back) {
        for (int pl = 0; pl < planes; pl++) {
            for (int oh = 0; oh < ho; oh++) {
                int hs = binStart(oh, h, ho);
                int he = binEnd(oh, h, ho);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = binStart(ow, w, wo);
                    int we = binEnd(ow, w, wo);
                    window(src, so, dst, pl, h, w, (pl * ho + oh) * wo + ow, hs, he, ws, we, (he - hs) * (we - ws), back);
                }
            }
        }
    }

    /** First row (or column) of adaptive bin i of n over a side of s: floor(i*s/n). */
    static int binStart(int i, int s, int n) {
        return (int) ((long) i * s / n);
    }

    /** One past the last row (or column) of adaptive bin i of n over a side of s: ceil((i+1)*s/n). */
    static int binEnd(int i, int s, int n) {
        return (int) (((long) (i + 1) * s + n - 1) / n);
    }

    /**
     * One averaging window over rows [hs, he) and columns [ws, we) of plane pl: forward,
     * dst[o] = sum of src over it / divisor; backward, dst += src[o] / divisor over it.
     */
    private static void window(DoubleBuffer src, int so, DoubleBuffer dst, int pl, int h, int w, int o, int hs, int he,
                               int ws, int we, int divisor, boolean back) {
        int plane = pl * h * w;
        if (back) {
            double v = src.get(so + o) / divisor;
            for (int ih = hs; ih < he; ih++) {
                for (int iw = ws; iw < we; iw++) {
                    int at = plane + ih * w + iw;
                    dst.put(at, dst.get(at) + v);
                }
            }
        } else {
            double sum = 0;
            for (int ih = hs; ih < he; ih++) {
                for (int iw = ws; iw < we; iw++) {
                    sum += src.get(so + plane + ih * w + iw);
                }
            }
            dst.put(o, sum / divisor);
        }
    }
}
