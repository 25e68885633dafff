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
 * splits across threads (disjoint outputs: the same bits for any thread count).
 */
final class Copy32 {
    private Copy32() {}

    /** Copies src (storage {@code ss} from {@code offS}, strides {@code stS}) into dst likewise, over {@code shape}. */
    static void copy(int[] shape, CpuStorage ss, long offS, int[] stS, CpuStorage sd, long offD, int[] stD) {
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
