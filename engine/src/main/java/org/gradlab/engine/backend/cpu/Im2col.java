package org.gradlab.engine.backend.cpu;

import java.nio.DoubleBuffer;

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

    /**
     * Float32 im2col on heap arrays (x: {@code channels} planes from 0; col: K x L). The caller stages
     * data between off-heap buffers and these arrays with one bulk copy each way: cheaper than
     * per-element buffer access, and the loops below compile to plain array code.
     */
    static void im2col(float[] x, int channels, Geo g, float[] col) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = c * hw;
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int lo = g.owLo(kj);
                    int hi = Math.max(lo, g.owHi(kj));
                    int dst = row * l;
                    for (int oh = 0; oh < g.ho(); oh++, dst += g.wo()) {
                        int ih = oh * g.sh() - g.ph() + ki;
                        if (ih < 0 || ih >= g.h()) {
                            java.util.Arrays.fill(col, dst, dst + g.wo(), 0f);
                            continue;
                        }
                        java.util.Arrays.fill(col, dst, dst + lo, 0f);
                        int src = plane + ih * g.w() + lo * g.sw() - g.pw() + kj;
                        if (g.sw() == 1) {
                            System.arraycopy(x, src, col, dst + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++, src += g.sw()) {
                                col[dst + ow] = x[src];
                            }
                        }
                        java.util.Arrays.fill(col, dst + hi, dst + g.wo(), 0f);
                    }
                }
            }
        }
    }

    /** Float32 col2im on heap arrays: x ({@code channels} planes from 0) += col scattered back. */
    static void col2im(float[] col, int channels, Geo g, float[] x) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = c * hw;
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
                        if (g.sw() == 1) {
                            for (int ow = lo; ow < hi; ow++, dst++) {
                                x[dst] += col[src + ow];
                            }
                        } else {
                            for (int ow = lo; ow < hi; ow++, dst += g.sw()) {
                                x[dst] += col[src + ow];
                            }
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
