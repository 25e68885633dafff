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

    /** Elements of the zero-padded copy of {@code channels} input planes. */
    static int paddedSize(int channels, Geo g) {
        return channels * (g.h() + 2 * g.ph()) * (g.w() + 2 * g.pw());
    }

    /**
     * The per-thread pad scratch (HeapStage slot 1) for {@code channels} planes, zeroed: the float32
     * im2col below writes only its interior, so its border must start at zero.
     */
    static float[] zeroedPad(int channels, Geo g) {
        int n = paddedSize(channels, g);
        float[] pad = HeapStage.scratch(1, n);
        java.util.Arrays.fill(pad, 0, n, 0f);
        return pad;
    }

    /**
     * Float32 im2col on heap arrays (x: {@code channels} planes from 0; col: K x L). x is first
     * copied into the interior of {@code pad}, a zero-bordered copy (its border must be zero and is
     * never written), so every col row segment is one branch-free copy. The caller stages data
     * between off-heap buffers and these arrays with one bulk copy each way.
     */
    static void im2col(float[] x, int channels, Geo g, float[] pad, float[] col) {
        im2col(x, 0, channels, g, pad, col, 0, g.ho() * g.wo());
    }

    /**
     * As {@link #im2col(float[], int, Geo, float[], float[])}, reading the planes of x from
     * {@code xOff} and writing col row r at {@code colOff + r * ld} (several samples side by side
     * in one col matrix, ld = samples * L).
     */
    static void im2col(float[] x, int xOff, int channels, Geo g, float[] pad, float[] col, int colOff, int ld) {
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int ho = g.ho();
        int wo = g.wo();
        int sh = g.sh();
        int sw = g.sw();
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.h(); ih++) {
                System.arraycopy(x, xOff + (c * g.h() + ih) * g.w(), pad, (c * hp + ih + g.ph()) * wp + g.pw(), g.w());
            }
        }
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int dst = colOff + row * ld;
                    int src = (c * hp + ki) * wp + kj;
                    for (int oh = 0; oh < ho; oh++, dst += wo, src += sh * wp) {
                        if (sw == 1) {
                            System.arraycopy(pad, src, col, dst, wo);
                        } else {
                            for (int ow = 0, s = src; ow < wo; ow++, s += sw) {
                                col[dst + ow] = pad[s];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Float32 col2im on heap arrays: x ({@code channels} planes from 0) = col scattered back and
     * summed, accumulated in the zero-bordered scratch {@code pad} (cleared here) whose interior is
     * then copied to x.
     */
    static void col2im(float[] col, int channels, Geo g, float[] pad, float[] x) {
        col2im(col, 0, g.ho() * g.wo(), channels, g, pad, x, 0);
    }

    /** As {@link #col2im(float[], int, Geo, float[], float[])} with col row r at {@code colOff + r * ld}, x from {@code xOff}. */
    static void col2im(float[] col, int colOff, int ld, int channels, Geo g, float[] pad, float[] x, int xOff) {
        int hp = g.h() + 2 * g.ph();
        int wp = g.w() + 2 * g.pw();
        int ho = g.ho();
        int wo = g.wo();
        int sh = g.sh();
        int sw = g.sw();
        java.util.Arrays.fill(pad, 0, channels * hp * wp, 0f);
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int src = colOff + row * ld;
                    int dst = (c * hp + ki) * wp + kj;
                    for (int oh = 0; oh < ho; oh++, src += wo, dst += sh * wp) {
                        if (sw == 1) {
                            for (int ow = 0; ow < wo; ow++) {
                                pad[dst + ow] += col[src + ow];
                            }
                        } else {
                            for (int ow = 0, d = dst; ow < wo; ow++, d += sw) {
                                pad[d] += col[src + ow];
                            }
                        }
                    }
                }
            }
        }
        for (int c = 0; c < channels; c++) {
            for (int ih = 0; ih < g.h(); ih++) {
                System.arraycopy(pad, (c * hp + ih + g.ph()) * wp + g.pw(), x, xOff + (c * g.h() + ih) * g.w(), g.w());
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
