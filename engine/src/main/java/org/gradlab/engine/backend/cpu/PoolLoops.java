package org.gradlab.engine.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;

/**
 * Pooling loops over contiguous NCHW planes (planes = N*C). Values are compared and summed in
 * double; the float32 and float64 bodies are the same code on the two buffer types.
 * NOTE: max pool ties go to the FIRST maximum in row-major window order (strict {@code >}); a NaN
 * is selected like in PyTorch; padding is never selected.
 */
final class PoolLoops {
    private PoolLoops() {}

    // ------------------------------------------------------------------ float32
    /** Max pool over planes; writes out (if non-null) and the argmax flat index (if idx non-null). */
    static void maxForward(FloatBuffer x, int xo, FloatBuffer out, DoubleBuffer idx, int planes, int h, int w, int ho, int wo, Pool2dParams p) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xo + pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    int best = hs * w + ws;
                    double bv = Double.NEGATIVE_INFINITY;
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            double v = x.get(xp + ih * w + iw);
                            if (v > bv || Double.isNaN(v)) {
                                bv = v;
                                best = ih * w + iw;
                            }
                        }
                    }
                    if (out != null) {
                        out.put(op + oh * wo + ow, (float) x.get(xp + best));
                    }
                    if (idx != null) {
                        idx.put(op + oh * wo + ow, best);
                    }
                }
            }
        }
    }

    /**
     * Average pool forward (backward when {@code back}: gx (zero-filled) += g / divisor over each
     * window). Divisor: the window clipped to the padded input (= kH*kW with ceil_mode off) when
     * countIncludePad, else the number of real input elements in it.
     */
    static void avg(FloatBuffer src, int so, FloatBuffer dst, int planes, int h, int w, int ho, int wo, Pool2dParams p, boolean incPad, boolean back) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs0 = oh * p.strideH() - p.padH();
                int he0 = Math.min(hs0 + p.kH(), h + p.padH());
                int hs = Math.max(hs0, 0);
                int he = Math.min(he0, h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws0 = ow * p.strideW() - p.padW();
                    int we0 = Math.min(ws0 + p.kW(), w + p.padW());
                    int ws = Math.max(ws0, 0);
                    int we = Math.min(we0, w);
                    int div = incPad ? (he0 - hs0) * (we0 - ws0) : (he - hs) * (we - ws);
                    if (back) {
                        double v = src.get(so + op + oh * wo + ow) / div;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                int d = xp + ih * w + iw;
                                dst.put(d, (float) (dst.get(d) + v));
                            }
                        }
                    } else {
                        double s = 0;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                s += src.get(so + xp + ih * w + iw);
                            }
                        }
                        dst.put(op + oh * wo + ow, (float) (s / div));
                    }
                }
            }
        }
    }

    /**
     * Adaptive average pool forward (backward when {@code back}, dst zero-filled): bin (i, j) covers
     * rows floor(i*h/ho) .. ceil((i+1)*h/ho)-1 and the same for columns.
     */
    static void adaptive(FloatBuffer src, int so, FloatBuffer dst, int planes, int h, int w, int ho, int wo, boolean back) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = (int) ((long) oh * h / ho);
                int he = (int) (((long) (oh + 1) * h + ho - 1) / ho);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = (int) ((long) ow * w / wo);
                    int we = (int) (((long) (ow + 1) * w + wo - 1) / wo);
                    int div = (he - hs) * (we - ws);
                    if (back) {
                        double v = src.get(so + op + oh * wo + ow) / div;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                int d = xp + ih * w + iw;
                                dst.put(d, (float) (dst.get(d) + v));
                            }
                        }
                    } else {
                        double s = 0;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                s += src.get(so + xp + ih * w + iw);
                            }
                        }
                        dst.put(op + oh * wo + ow, (float) (s / div));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ float64 (same code)
    /** Max pool over planes; writes out (if non-null) and the argmax flat index (if idx non-null). */
    static void maxForward(DoubleBuffer x, int xo, DoubleBuffer out, DoubleBuffer idx, int planes, int h, int w, int ho, int wo, Pool2dParams p) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xo + pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    int best = hs * w + ws;
                    double bv = Double.NEGATIVE_INFINITY;
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            double v = x.get(xp + ih * w + iw);
                            if (v > bv || Double.isNaN(v)) {
                                bv = v;
                                best = ih * w + iw;
                            }
                        }
                    }
                    if (out != null) {
                        out.put(op + oh * wo + ow, x.get(xp + best));
                    }
                    if (idx != null) {
                        idx.put(op + oh * wo + ow, best);
                    }
                }
            }
        }
    }

    /** gx (zero-filled, contiguous) += g routed to each window's first maximum. */
    static void maxBackward(DoubleBuffer g, int go, DoubleBuffer x, int xo, DoubleBuffer gx, int planes, int h, int w, int ho, int wo, Pool2dParams p) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = xo + pl * hw;
            int gp = go + pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    int best = hs * w + ws;
                    double bv = Double.NEGATIVE_INFINITY;
                    for (int ih = hs; ih < he; ih++) {
                        for (int iw = ws; iw < we; iw++) {
                            double v = x.get(xp + ih * w + iw);
                            if (v > bv || Double.isNaN(v)) {
                                bv = v;
                                best = ih * w + iw;
                            }
                        }
                    }
                    int d = pl * hw + best;
                    gx.put(d, (gx.get(d) + g.get(gp + oh * wo + ow)));
                }
            }
        }
    }

    /**
     * Average pool forward (backward when {@code back}: gx (zero-filled) += g / divisor over each
     * window). Divisor: the window clipped to the padded input (= kH*kW with ceil_mode off) when
     * countIncludePad, else the number of real input elements in it.
     */
    static void avg(DoubleBuffer src, int so, DoubleBuffer dst, int planes, int h, int w, int ho, int wo, Pool2dParams p, boolean incPad, boolean back) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs0 = oh * p.strideH() - p.padH();
                int he0 = Math.min(hs0 + p.kH(), h + p.padH());
                int hs = Math.max(hs0, 0);
                int he = Math.min(he0, h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws0 = ow * p.strideW() - p.padW();
                    int we0 = Math.min(ws0 + p.kW(), w + p.padW());
                    int ws = Math.max(ws0, 0);
                    int we = Math.min(we0, w);
                    int div = incPad ? (he0 - hs0) * (we0 - ws0) : (he - hs) * (we - ws);
                    if (back) {
                        double v = src.get(so + op + oh * wo + ow) / div;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                int d = xp + ih * w + iw;
                                dst.put(d, (dst.get(d) + v));
                            }
                        }
                    } else {
                        double s = 0;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                s += src.get(so + xp + ih * w + iw);
                            }
                        }
                        dst.put(op + oh * wo + ow, (s / div));
                    }
                }
            }
        }
    }

    /**
     * Adaptive average pool forward (backward when {@code back}, dst zero-filled): bin (i, j) covers
     * rows floor(i*h/ho) .. ceil((i+1)*h/ho)-1 and the same for columns.
     */
    static void adaptive(DoubleBuffer src, int so, DoubleBuffer dst, int planes, int h, int w, int ho, int wo, boolean back) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = (int) ((long) oh * h / ho);
                int he = (int) (((long) (oh + 1) * h + ho - 1) / ho);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = (int) ((long) ow * w / wo);
                    int we = (int) (((long) (ow + 1) * w + wo - 1) / wo);
                    int div = (he - hs) * (we - ws);
                    if (back) {
                        double v = src.get(so + op + oh * wo + ow) / div;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                int d = xp + ih * w + iw;
                                dst.put(d, (dst.get(d) + v));
                            }
                        }
                    } else {
                        double s = 0;
                        for (int ih = hs; ih < he; ih++) {
                            for (int iw = ws; iw < we; iw++) {
                                s += src.get(so + xp + ih * w + iw);
                            }
                        }
                        dst.put(op + oh * wo + ow, (s / div));
                    }
                }
            }
        }
    }
}
