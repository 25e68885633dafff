package org.gradlab.engine.backend.cpu;

/**
 * float32 im2col / col2im for strided convs whose windows do not overlap (kernel no larger than
 * the stride in either direction: ResNet-18's 1x1 stride-2 downsampling convs, patchify convs).
 * Then each col row (c, ki, kj) is one PHASE of input plane c,
 * <pre>
 *   col[(c*kh + ki)*kw + kj][oh*Wo + ow] = x[c][sh*oh + ki - ph][sw*ow + kj - pw]   (0 outside x)
 * </pre>
 * and every input element lands in at most one col entry. im2col gathers each phase straight
 * from x (no zero-bordered copy of x, which {@link Im2col#im2colPadded} builds whole although a
 * 1x1 stride-2 conv reads a quarter of it) into the off-heap col matrix; col2im copies each row
 * back to the heap and STORES its entries into x (no adds: nothing else lands there), x zero
 * elsewhere.
 *
 * <p>The same values as {@link ConvReference#im2col} and its col2im (copies: exact; tested in
 * Im2colPhasesTest).
 */
final class Im2colPhases {
    private Im2colPhases() {}

    /** Whether this geometry takes this path: a stride above 1 and windows that do not overlap. */
    static boolean applies(Im2col.Geo g) {
        return (g.sh() > 1 || g.sw() > 1) && g.kh() <= g.sh() && g.kw() <= g.sw();
    }

    /**
     * col (off-heap matrix at address {@code col}, row r at r * ld) = im2col of {@code channels}
     * planes of x from {@code xOff}, stored element by element (NOTE: a heap row copied out whole
     * measured slower at ResNet-18's 7x7 and 4x4 planes, 16-49 floats a copy).
     */
    static void im2col(float[] x, int xOff, int channels, Im2col.Geo g, long col, int ld) {
        int ho = g.ho();
        int wo = g.wo();
        int r = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, r++) {
                    int lo = firstInside(kj, g.pw(), g.sw(), wo);
                    int hi = endInside(kj, g.pw(), g.sw(), g.w(), wo);
                    for (int oh = 0, d = r * ld; oh < ho; oh++, d += wo) {
                        int ih = g.sh() * oh + ki - g.ph();
                        if (ih < 0 || ih >= g.h()) {
                            OffHeap.zero(col, d, wo);
                            continue;
                        }
                        OffHeap.zero(col, d, lo);
                        int src = xOff + (c * g.h() + ih) * g.w() + g.sw() * lo + kj - g.pw();
                        for (int ow = lo; ow < hi; ow++, src += g.sw()) {
                            OffHeap.put(col, d + ow, x[src]);
                        }
                        OffHeap.zero(col, d + hi, wo - hi);
                    }
                }
            }
        }
    }

    /**
     * x ({@code channels} planes from {@code xOff}, written whole) = col2im of the off-heap matrix
     * at address {@code col} (row r at r * ld): each col entry stored at the input position it came
     * from, 0 where none came from; {@code row} is scratch as for {@link #im2col}.
     */
    static void col2im(long col, int ld, int channels, Im2col.Geo g, float[] row, float[] x, int xOff) {
        int ho = g.ho();
        int wo = g.wo();
        java.util.Arrays.fill(x, xOff, xOff + channels * g.h() * g.w(), 0f);
        int r = 0;
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, r++) {
                    int lo = firstInside(kj, g.pw(), g.sw(), wo);
                    int hi = endInside(kj, g.pw(), g.sw(), g.w(), wo);
                    OffHeap.copy(col, r * ld, row, 0, ho * wo);
                    for (int oh = 0, s = 0; oh < ho; oh++, s += wo) {
                        int ih = g.sh() * oh + ki - g.ph();
                        if (ih < 0 || ih >= g.h()) {
                            continue;
                        }
                        int dst = xOff + (c * g.h() + ih) * g.w() + g.sw() * lo + kj - g.pw();
                        for (int ow = lo; ow < hi; ow++, dst += g.sw()) {
                            x[dst] = row[s + ow];
                        }
                    }
                }
            }
        }
    }

    /** The first ow in [0, wo] whose input column sw*ow + kj - pw is at least 0. */
    private static int firstInside(int kj, int pw, int sw, int wo) {
        return Math.min(wo, Math.max(0, Math.floorDiv(pw - kj + sw - 1, sw)));
    }

    /** One past the last ow in [0, wo) whose input column sw*ow + kj - pw is below w (at least {@link #firstInside}). */
    private static int endInside(int kj, int pw, int sw, int w, int wo) {
        int end = Math.min(wo, Math.max(0, Math.floorDiv(w - 1 + pw - kj, sw) + 1));
        return Math.max(end, firstInside(kj, pw, sw, wo));
    }
}
