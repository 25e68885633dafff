package org.gradlab.engine.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * im2col / col2im for one sample and a run of channels. col has rows (c, ki, kj) and columns
 * (oh, ow): col[(c*kh+ki)*kw+kj][oh*Wo+ow] = x[c][oh*sh-ph+ki][ow*sw-pw+kj] (0 outside the input).
 * col2im is its adjoint: it ADDS each col entry back to the input position it came from.
 */
final class Im2col {
    private Im2col() {}

    /** Geometry of one conv: input plane, kernel, stride, padding, output plane. */
    record Geo(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int ho, int wo) {
        /** First output column whose input column ow*sw-pw+kj is >= 0. */
        int owLo(int kj) {
            int need = pw - kj;
            return need <= 0 ? 0 : Math.min(wo, (need + sw - 1) / sw);
        }

        /** One past the last output column whose input column is < w. */
        int owHi(int kj) {
            int lim = w - 1 + pw - kj;
            return lim < 0 ? 0 : Math.min(wo, lim / sw + 1);
        }
    }

    static void im2col(FloatBuffer x, long xOff, int channels, Geo g, FloatBuffer col) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = (int) xOff + c * hw;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int lo = g.owLo(kj);
                    int hi = Math.max(lo, g.owHi(kj));
                    int dst = row * l;
                    for (int oh = 0; oh < g.ho(); oh++, dst += g.wo()) {
                        int ih = oh * g.sh() - g.ph() + ki;
                        if (ih < 0 || ih >= g.h()) {
                            for (int ow = 0; ow < g.wo(); ow++) {
                                col.put(dst + ow, 0f);
                            }
                            continue;
                        }
                        for (int ow = 0; ow < lo; ow++) {
                            col.put(dst + ow, 0f);
                        }
                        int src = plane + ih * g.w() + lo * g.sw() - g.pw() + kj;
                        if (g.sw() == 1) {
                            col.put(dst + lo, x, src, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++, src += g.sw()) {
                                col.put(dst + ow, x.get(src));
                            }
                        }
                        for (int ow = hi; ow < g.wo(); ow++) {
                            col.put(dst + ow, 0f);
                        }
                    }
                }
            }
        }
    }

    static void col2im(FloatBuffer col, int channels, Geo g, FloatBuffer x, long xOff) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = (int) xOff + c * hw;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int lo = g.owLo(kj);
                    int hi = g.owHi(kj);
                    int srcRow = row * l;
                    for (int oh = 0; oh < g.ho(); oh++) {
                        int ih = oh * g.sh() - g.ph() + ki;
                        if (ih < 0 || ih >= g.h()) {
                            continue;
                        }
                        int src = srcRow + oh * g.wo();
                        int dst = plane + ih * g.w() + lo * g.sw() - g.pw() + kj;
                        for (int ow = lo; ow < hi; ow++, dst += g.sw()) {
                            x.put(dst, x.get(dst) + col.get(src + ow));
                        }
                    }
                }
            }
        }
    }

    static void im2col(DoubleBuffer x, long xOff, int channels, Geo g, DoubleBuffer col) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = (int) xOff + c * hw;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int lo = g.owLo(kj);
                    int hi = g.owHi(kj);
                    int dst = row * l;
                    for (int oh = 0; oh < g.ho(); oh++, dst += g.wo()) {
                        int ih = oh * g.sh() - g.ph() + ki;
                        boolean rowIn = ih >= 0 && ih < g.h();
                        int src = plane + ih * g.w() + lo * g.sw() - g.pw() + kj;
                        for (int ow = 0; ow < g.wo(); ow++) {
                            boolean in = rowIn && ow >= lo && ow < hi;
                            col.put(dst + ow, in ? x.get(src + (ow - lo) * g.sw()) : 0.0);
                        }
                    }
                }
            }
        }
    }

    static void col2im(DoubleBuffer col, int channels, Geo g, DoubleBuffer x, long xOff) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = (int) xOff + c * hw;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int lo = g.owLo(kj);
                    int hi = g.owHi(kj);
                    for (int oh = 0; oh < g.ho(); oh++) {
                        int ih = oh * g.sh() - g.ph() + ki;
                        if (ih < 0 || ih >= g.h()) {
                            continue;
                        }
                        int src = row * l + oh * g.wo();
                        int dst = plane + ih * g.w() + lo * g.sw() - g.pw() + kj;
                        for (int ow = lo; ow < hi; ow++, dst += g.sw()) {
                            x.put(dst, x.get(dst) + col.get(src + ow));
                        }
                    }
                }
            }
        }
    }
}
