package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.junit.jupiter.api.Test;

/**
 * The float32 copy ({@link Copy32}) against the float64 copy loop, value for value (a copy is
 * exact in both): attention's head permute made contiguous (rows of contiguous floats), a
 * transpose (strided rows), a bias broadcast into every row, a column broadcast along the last
 * axis (a fill), a copy into a strided slice of a larger tensor, rank 0 and rank 1; transposes of
 * the last two axes (by tiles) with edges that are and are not multiples of the tile, batched,
 * permuted and narrowed.
 */
class CopyF32PathTest {
    private static final ElementwiseKernels EW = CpuBackend.INSTANCE.elementwise();

    @Test
    void copiesMatchTheReference() {
        Generator gen = new Generator(3);
        same(exactInF32(gen, 2, 5, 3, 4), t -> t.permute(0, 2, 1, 3), "head permute (B, T, H, D) to (B, H, T, D)");
        same(exactInF32(gen, 6, 7), t -> t.transpose(0, 1), "transpose");
        same(exactInF32(gen, 3, 4, 5), t -> t.permute(2, 0, 1), "3-d permute");
        same(exactInF32(gen, 37, 50), t -> t.transpose(0, 1), "transpose by tiles, edges not multiples of the tile");
        same(exactInF32(gen, 2, 3, 20, 33), t -> t.transpose(-1, -2), "batched transpose by tiles");
        same(exactInF32(gen, 2, 20, 3, 17), t -> t.permute(0, 2, 3, 1), "permuted batch, last two axes transposed, by tiles");
        same(exactInF32(gen, 40, 18), t -> t.slice0(3, 33).transpose(0, 1), "sliced transpose by tiles");
        same(exactInF32(gen), t -> t, "rank 0");
        same(exactInF32(gen, 9), t -> t, "rank 1");

        Tensor bias = exactInF32(gen, 5);
        broadcast(bias, new int[] {4, 5}, "bias into every row");
        broadcast(exactInF32(gen, 3, 1), new int[] {3, 6}, "column broadcast along the last axis");
        broadcast(exactInF32(gen, 2, 1, 4), new int[] {2, 3, 4}, "middle-axis broadcast");

        Tensor weight = exactInF32(gen, 7, 6, 1, 1);
        Tensor w64 = Tensor.zeros(DType.F64, weight.device(), 7, 6, 1, 1);
        Tensor w32 = Tensor.zeros(DType.F32, weight.device(), 7, 6, 1, 1);
        EW.copyInto(w64, weight);
        Parallel.setMinChunkWork(1); // the one merged row in pieces across threads
        try {
            EW.copyInto(w32, weight.to(DType.F32));
        } finally {
            Parallel.setMinChunkWork(0);
        }
        assertArrayEquals(w64.toDoubleArray(), w32.toDoubleArray(), 0.0, "a contiguous (C, K, 1, 1) weight, one merged row");

        Tensor part = exactInF32(gen, 4, 3);
        Tensor big64 = Tensor.zeros(DType.F64, part.device(), 4, 8);
        Tensor big32 = Tensor.zeros(DType.F32, part.device(), 4, 8);
        EW.copyInto(big64.view(new int[] {4, 3}, new int[] {8, 1}, 2), part);
        EW.copyInto(big32.view(new int[] {4, 3}, new int[] {8, 1}, 2), part.to(DType.F32));
        assertArrayEquals(big64.toDoubleArray(), big32.toDoubleArray(), 0.0, "copy into a slice");
        Tensor t64 = Tensor.zeros(DType.F64, part.device(), 3, 4);
        Tensor t32 = Tensor.zeros(DType.F32, part.device(), 3, 4);
        EW.copyInto(t64.transpose(0, 1), part);
        EW.copyInto(t32.transpose(0, 1), part.to(DType.F32));
        assertArrayEquals(t64.toDoubleArray(), t32.toDoubleArray(), 0.0, "copy into a transposed view");
    }

    @Test
    void axesOfSizeOneDropAndAxesSteppedAsOneMerge() {
        int[][] conv = Copy32.coalesced(new int[] {7, 6, 1, 1}, new int[] {6, 1, 1, 1}, new int[] {6, 1, 1, 1});
        assertArrayEquals(new int[] {42}, conv[0]);
        assertArrayEquals(new int[] {1}, conv[1]);
        assertArrayEquals(new int[] {1}, conv[2]);
        // into a (4, 8) tensor's first 3 columns: the rows stay apart in dst
        int[][] slice = Copy32.coalesced(new int[] {4, 3}, new int[] {3, 1}, new int[] {8, 1});
        assertArrayEquals(new int[] {4, 3}, slice[0]);
        assertArrayEquals(new int[] {8, 1}, slice[2]);
        // a bias broadcast into every row of (2, 3, 4): the two leading axes merge (stride 0 in src)
        int[][] bias = Copy32.coalesced(new int[] {2, 3, 4}, new int[] {0, 0, 1}, new int[] {12, 4, 1});
        assertArrayEquals(new int[] {6, 4}, bias[0]);
        assertArrayEquals(new int[] {0, 1}, bias[1]);
        assertArrayEquals(new int[] {4, 1}, bias[2]);
        int[][] one = Copy32.coalesced(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
        assertArrayEquals(new int[] {1}, one[0]);
        assertArrayEquals(new int[0], Copy32.coalesced(new int[0], new int[0], new int[0])[0], "rank 0 stays rank 0");
    }

    /** contiguous() of the same view of base in float64 and float32. */
    private static void same(Tensor base, java.util.function.UnaryOperator<Tensor> view, String what) {
        assertArrayEquals(EW.contiguous(view.apply(base)).toDoubleArray(),
                EW.contiguous(view.apply(base.to(DType.F32))).toDoubleArray(), 0.0, what);
    }

    private static void broadcast(Tensor src, int[] shape, String what) {
        Tensor d64 = Tensor.zeros(DType.F64, src.device(), shape);
        Tensor d32 = Tensor.zeros(DType.F32, src.device(), shape);
        EW.copyInto(d64, src);
        EW.copyInto(d32, src.to(DType.F32));
        assertArrayEquals(d64.toDoubleArray(), d32.toDoubleArray(), 0.0, what);
    }
}
