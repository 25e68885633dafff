package org.gradlab.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The inner loop of the depthwise convs on planes ({@link DepthwisePlanes32}) in the JDK's vector
 * API: dst[i] = init[i] + sum over taps t of w[t] * src[off[t] + i], for from &lt;= i &lt; to,
 * where init is dst itself ({@code accumulate}) or the scalar {@code base}. Each block of four
 * vectors keeps its sums in registers over all taps: one load and one fused multiply-add per
 * vector and tap, against a window copy, two loads and a store per tap in the plain loop (C2 does
 * not vectorise {@code a[i] += w * b[s + i]}, so the plain loop copies each shifted window first).
 *
 * <p>NOTE: the loop runs in whole vectors from {@code from}: it reads src up to
 * off[t] + {@link #end}(from, to) and writes dst up to end(from, to), past {@code to} by less than one
 * vector; callers size both arrays for that (what lands past {@code to} is never read). The taps
 * are added in t order with one rounding each (fused multiply-add), so the sums differ in the last
 * bits from the plain loop's (which rounds the product, then the sum); tested against
 * {@link ConvReference} like it.
 */
final class TapSums32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private TapSums32() {}

    /** Floats per vector. */
    static int lanes() {
        return L;
    }

    /** One past the last index written for [from, to): from rounded up by whole vectors. */
    static int end(int from, int to) {
        return to <= from ? from : from + ((to - from + L - 1) / L) * L;
    }

    /**
     * dst[i] = (accumulate ? dst[i] : base) + sum over t &lt; taps of w[wAt + t] * src[off[t] + i];
     * whole vectors from {@code from}. NOTE: the same sums as {@link #sumRows} over one row, kept apart
     * because one index stepping four vectors at a time is faster on the long rows of the grid than
     * sumRows' (row, vector) counters (144@16 grid, 18 vectors: 110-120 against 150-163 ns a plane).
     */
    static void sum(float[] dst, int from, int to, boolean accumulate, float base, float[] src, int[] off, float[] w,
                    int wAt, int taps) {
        FloatVector b = FloatVector.broadcast(S, base);
        int i = from;
        for (; i + 3 * L < to; i += 4 * L) {
            FloatVector a0 = accumulate ? FloatVector.fromArray(S, dst, i) : b;
            FloatVector a1 = accumulate ? FloatVector.fromArray(S, dst, i + L) : b;
            FloatVector a2 = accumulate ? FloatVector.fromArray(S, dst, i + 2 * L) : b;
            FloatVector a3 = accumulate ? FloatVector.fromArray(S, dst, i + 3 * L) : b;
            for (int t = 0; t < taps; t++) {
                FloatVector wt = FloatVector.broadcast(S, w[wAt + t]);
                int o = off[t] + i;
                a0 = FloatVector.fromArray(S, src, o).fma(wt, a0);
                a1 = FloatVector.fromArray(S, src, o + L).fma(wt, a1);
                a2 = FloatVector.fromArray(S, src, o + 2 * L).fma(wt, a2);
                a3 = FloatVector.fromArray(S, src, o + 3 * L).fma(wt, a3);
            }
            a0.intoArray(dst, i);
            a1.intoArray(dst, i + L);
            a2.intoArray(dst, i + 2 * L);
            a3.intoArray(dst, i + 3 * L);
        }
        for (; i < to; i += L) {
            FloatVector a = accumulate ? FloatVector.fromArray(S, dst, i) : b;
            for (int t = 0; t < taps; t++) {
                a = FloatVector.fromArray(S, src, off[t] + i).fma(FloatVector.broadcast(S, w[wAt + t]), a);
            }
            a.intoArray(dst, i);
        }
    }

    /**
     * The same sums over a plane's rows: for r &lt; rows and j &lt; width,
     * dst[dstAt + r*width + j] = (accumulate ? that element : base) + sum over t of
     * w[wAt + t] * src[off[t] + srcAt + r*srcStride + j]. The (row, vector) units go in row-major
     * order, four at a time (four independent chains of fused multiply-adds); a row whose width is
     * not a whole number of vectors writes past its end into the next row's first cells, which a
     * later unit (or a later store of the same four) overwrites, and the last row up to
     * dstAt + (rows - 1)*width + {@link #end}(0, width). NOTE: so with {@code accumulate} the width
     * must be a whole number of vectors when there are several rows (a spill would be added into the next row's sums).
     */
    static void sumRows(float[] dst, int dstAt, int width, int rows, boolean accumulate, float base, float[] src,
                        int srcAt, int srcStride, int[] off, float[] w, int wAt, int taps) {
        int perRow = (width + L - 1) / L;
        int units = rows * perRow;
        FloatVector b = FloatVector.broadcast(S, base);
        // the (row, vec) of the next unit, advanced without a division; a row's start in dst and src
        int row = 0;
        int vec = 0;
        int u = 0;
        for (; u + 3 < units; u += 4) {
            int d0 = dstAt + row * width + vec * L;
            int s0 = srcAt + row * srcStride + vec * L;
            if (++vec == perRow) {
                vec = 0;
                row++;
            }
            int d1 = dstAt + row * width + vec * L;
            int s1 = srcAt + row * srcStride + vec * L;
            if (++vec == perRow) {
                vec = 0;
                row++;
            }
            int d2 = dstAt + row * width + vec * L;
            int s2 = srcAt + row * srcStride + vec * L;
            if (++vec == perRow) {
                vec = 0;
                row++;
            }
            int d3 = dstAt + row * width + vec * L;
            int s3 = srcAt + row * srcStride + vec * L;
            if (++vec == perRow) {
                vec = 0;
                row++;
            }
            FloatVector a0 = accumulate ? FloatVector.fromArray(S, dst, d0) : b;
            FloatVector a1 = accumulate ? FloatVector.fromArray(S, dst, d1) : b;
            FloatVector a2 = accumulate ? FloatVector.fromArray(S, dst, d2) : b;
            FloatVector a3 = accumulate ? FloatVector.fromArray(S, dst, d3) : b;
            for (int t = 0; t < taps; t++) {
                FloatVector wt = FloatVector.broadcast(S, w[wAt + t]);
                int o = off[t];
                a0 = FloatVector.fromArray(S, src, o + s0).fma(wt, a0);
                a1 = FloatVector.fromArray(S, src, o + s1).fma(wt, a1);
                a2 = FloatVector.fromArray(S, src, o + s2).fma(wt, a2);
                a3 = FloatVector.fromArray(S, src, o + s3).fma(wt, a3);
            }
            a0.intoArray(dst, d0);
            a1.intoArray(dst, d1);
            a2.intoArray(dst, d2);
            a3.intoArray(dst, d3);
        }
        for (; u < units; u++) {
            int d = dstAt + row * width + vec * L;
            int sAt = srcAt + row * srcStride + vec * L;
            if (++vec == perRow) {
                vec = 0;
                row++;
            }
            FloatVector a = accumulate ? FloatVector.fromArray(S, dst, d) : b;
            for (int t = 0; t < taps; t++) {
                a = FloatVector.fromArray(S, src, off[t] + sAt).fma(FloatVector.broadcast(S, w[wAt + t]), a);
            }
            a.intoArray(dst, d);
        }
    }

    /**
     * rows rows of width floats from src (rows srcStride apart from srcAt) into dst (dstStride
     * apart from dstAt): whole vectors when width is a whole number of them, else a copy per row.
     */
    static void copyRows(float[] src, int srcAt, int srcStride, float[] dst, int dstAt, int dstStride, int rows, int width) {
        if (width % L != 0) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, srcAt + r * srcStride, dst, dstAt + r * dstStride, width);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            int si = srcAt + r * srcStride;
            int di = dstAt + r * dstStride;
            for (int j = 0; j < width; j += L) {
                FloatVector.fromArray(S, src, si + j).intoArray(dst, di + j);
            }
        }
    }
}
