package org.gradlab.engine.backend.cpu;

/**
 * The float32 strided copy behind {@code contiguous()}, {@code copyInto} (broadcasts such as a
 * linear layer's bias into every row, narrow/concat slices, gradient accumulation): dst[index] =
 * src[index] for every index of {@code shape}, each operand with its own (broadcast) strides.
 *
 * <p>Row by row along the last axis ({@link Strided}), on raw addresses ({@link OffHeap}, both
 * extents checked once): a row that is contiguous in both is one memory copy (the attention heads'
 * permute/contiguous copies move rows of head-dim floats), a row broadcast from one source value
 * is a fill, anything else a strided loop without per-element buffer checks. The outermost axis
 * splits across threads (disjoint outputs: the same bits for any thread count). A transpose of the
 * last two axes into a dst whose rows are contiguous (a transposed GEMM result made contiguous,
 * {@code contiguous()} of a {@code transpose(-1, -2)} view) goes by square tiles instead
 * ({@link #transposed}): row by row it read one float per cache line.
 */
final class Copy32 {
    private Copy32() {}

    /** Copies src (storage {@code ss} from {@code offS}, strides {@code stS}) into dst likewise, over {@code shape}. */
    static void copy(int[] asGiven, CpuStorage ss, long offS, int[] stridesS, CpuStorage sd, long offD, int[] stridesD) {
        int[][] merged = coalesced(asGiven, stridesS, stridesD);
        int[] shape = merged[0];
        int[] stS = merged[1];
        int[] stD = merged[2];
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n == 0) {
            return;
        }
        long sa = OffHeap.floats(ss, offS + lowest(shape, stS), span(shape, stS)) - lowest(shape, stS) * Float.BYTES;
        long da = OffHeap.floats(sd, offD + lowest(shape, stD), span(shape, stD)) - lowest(shape, stD) * Float.BYTES;
        int r = shape.length;
        int ls = r == 0 ? 0 : stS[r - 1];
        int ld = r == 0 ? 0 : stD[r - 1];
        if (r >= 2 && ld == 1 && stS[r - 2] == 1 && ls > 1 && shape[r - 2] >= TILE && shape[r - 1] >= TILE) {
            transposed(shape, sa, stS, da, stD);
            return;
        }
        if (r == 1) { // one row (a contiguous tensor): in pieces across threads
            int len = shape[0];
            Parallel.forChunks(len, Parallel.grain(1), (c, i0, i1) ->
                    row(OffHeap.plus(sa, (long) i0 * ls), ls, OffHeap.plus(da, (long) i0 * ld), ld,
                            i1 - i0));
            return;
        }
        int outer = r < 2 ? 1 : shape[0];
        int[] inner = r < 2 ? shape : java.util.Arrays.copyOfRange(shape, 1, r);
        int[] innerS = r < 2 ? stS : java.util.Arrays.copyOfRange(stS, 1, r);
        int[] innerD = r < 2 ? stD : java.util.Arrays.copyOfRange(stD, 1, r);
        long perOuter = n / outer;
        Parallel.forChunks(outer, Parallel.grain(perOuter), (c, o0, o1) -> {
            for (int o = o0; o < o1; o++) {
                long s0 = r < 2 ? 0 : (long) o * stS[0];
                long d0 = r < 2 ? 0 : (long) o * stD[0];
                Strided.forEachRow(inner, innerS, s0, innerD, d0, (is, id, io, len) ->
                        row(OffHeap.plus(sa, is), ls, OffHeap.plus(da, id), ld, len));
            }
        });
    }

    /**
     * {shape, src strides, dst strides} with the axes of size 1 dropped and each axis merged into
     * the one before it where both operands step over it as over one longer axis (stride[i] =
     * stride[i+1] * shape[i+1] in both): a contiguous (C, K, 1, 1) conv weight is one row of C*K
     * floats (one memory copy), not C*K rows of one float.
     */
    static int[][] coalesced(int[] shape, int[] stS, int[] stD) {
        int[] sh = new int[shape.length];
        int[] ss = new int[shape.length];
        int[] sd = new int[shape.length];
        int r = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) {
                continue;
            }
            if (r > 0 && ss[r - 1] == (long) stS[i] * shape[i] && sd[r - 1] == (long) stD[i] * shape[i]
                    && (long) sh[r - 1] * shape[i] <= Integer.MAX_VALUE) {
                sh[r - 1] *= shape[i];
                ss[r - 1] = stS[i];
                sd[r - 1] = stD[i];
                continue;
            }
            sh[r] = shape[i];
            ss[r] = stS[i];
            sd[r] = stD[i];
            r++;
        }
        if (r == 0 && shape.length > 0) { // every axis of size 1: one element
            return new int[][] {{1}, {1}, {1}};
        }
        return new int[][] {java.util.Arrays.copyOf(sh, r), java.util.Arrays.copyOf(ss, r), java.util.Arrays.copyOf(sd, r)};
    }

    /** Side of the square tiles {@link #transposed} copies: 16 source lines of 64 bytes stay in L1 while a tile is read. */
    private static final int TILE = 16;

    /**
     * dst[.., i, j] = src[.., i, j] where src's last two axes are transposed in memory (stride 1 on
     * axis r−2) and dst's rows are contiguous: each (rows x cols) matrix in TILE x TILE tiles, the
     * inner loop writing a dst row of the tile while it reads down a src row of the tile; the
     * matrices and their row tiles split across threads (disjoint outputs).
     */
    private static void transposed(int[] shape, long sa, int[] stS, long da, int[] stD) {
        int r = shape.length;
        int rows = shape[r - 2];
        int cols = shape[r - 1];
        int ls = stS[r - 1];
        int ldRow = stD[r - 2];
        int[] batch = java.util.Arrays.copyOf(shape, r - 2);
        int matrices = 1;
        for (int b : batch) {
            matrices *= b;
        }
        int rowTiles = (rows + TILE - 1) / TILE;
        Parallel.forChunks(matrices * rowTiles, Parallel.grain((long) TILE * cols), (c, t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                long s0 = 0;
                long d0 = 0;
                for (int d = r - 3, m = t / rowTiles; d >= 0; d--) {
                    s0 += (long) (m % batch[d]) * stS[d];
                    d0 += (long) (m % batch[d]) * stD[d];
                    m /= batch[d];
                }
                int i0 = (t % rowTiles) * TILE;
                int i1 = Math.min(rows, i0 + TILE);
                for (int j0 = 0; j0 < cols; j0 += TILE) {
                    int j1 = Math.min(cols, j0 + TILE);
                    for (int i = i0; i < i1; i++) {
                        long src = OffHeap.plus(sa, s0 + i);
                        long dst = OffHeap.plus(da, d0 + (long) i * ldRow);
                        for (int j = j0; j < j1; j++) {
                            OffHeap.put(dst, j, OffHeap.get(src, j * ls));
                        }
                    }
                }
            }
        });
    }

    /** One row of len elements: dst[i * ld] = src[i * ls]. */
    private static void row(long src, int ls, long dst, int ld, int len) {
        if (ls == 1 && ld == 1) {
            OffHeap.copy(src, dst, len);
        } else if (ls == 0) {
            float v = OffHeap.get(src, 0);
            for (int i = 0; i < len; i++) {
                OffHeap.put(dst, i * ld, v);
            }
        } else {
            for (int i = 0; i < len; i++) {
                OffHeap.put(dst, i * ld, OffHeap.get(src, i * ls));
            }
        }
    }

    /** The most negative element offset an operand with these strides reaches (0 unless a stride is negative). */
    private static long lowest(int[] shape, int[] st) {
        long low = 0;
        for (int d = 0; d < shape.length; d++) {
            low += Math.min(0, (long) (shape[d] - 1) * st[d]);
        }
        return low;
    }

    /** How many elements lie between the lowest and the highest offset the operand reaches, both included. */
    private static long span(int[] shape, int[] st) {
        long high = 0;
        for (int d = 0; d < shape.length; d++) {
            high += Math.max(0, (long) (shape[d] - 1) * st[d]);
        }
        return high - lowest(shape, st) + 1;
    }
}
