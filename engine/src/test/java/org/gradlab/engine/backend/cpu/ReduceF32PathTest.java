package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;

import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ReduceKernels;
import org.junit.jupiter.api.Test;

/**
 * The float32 sum ({@code CpuReduce.sum32}) against the float64 reference loop: trailing axes
 * (contiguous runs: the squeeze-excitation gate's gradient (N, C, H, W) to (N, C, 1, 1)), leading
 * axes (rows added into accumulators, more than one block of 512 columns, more than one block of 64
 * rows: a linear layer's bias gradient), a middle axis, axes
 * that are not adjacent (permuted first), every axis, no axis, a transposed view; relative error
 * at most 1e-6.
 */
class ReduceF32PathTest {
    private static final ReduceKernels REDUCE = CpuBackend.INSTANCE.reduce();

    @Test
    void sumMatchesTheReference() {
        Generator gen = new Generator(23);
        Object[][] cases = {
            {new int[] {4, 6, 9, 7}, new int[] {2, 3}},
            {new int[] {3, 5, 1, 1}, new int[] {2, 3}},
            {new int[] {7, 5, 700}, new int[] {0, 1}},
            {new int[] {200, 37}, new int[] {0}},
            {new int[] {3, 130, 520}, new int[] {1}},
            {new int[] {4, 6, 9, 7}, new int[] {1}},
            {new int[] {4, 6, 9, 7}, new int[] {0, 2, 3}},
            {new int[] {5, 3, 4}, new int[] {0, 1, 2}},
            {new int[] {5, 3, 4}, new int[] {}},
            {new int[] {3, 2000}, new int[] {1}}};
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0];
            int[] axes = (int[]) c[1];
            Tensor x = exactInF32(gen, shape);
            for (boolean keep : new boolean[] {true, false}) {
                assertClose(REDUCE.sum(x.to(DType.F32), axes, keep), REDUCE.sum(x, axes, keep), 1e-6,
                        "sum of " + Arrays.toString(shape) + " over " + Arrays.toString(axes) + " keepdim " + keep);
            }
        }
        Tensor t = exactInF32(gen, 6, 9);
        assertClose(REDUCE.sum(t.to(DType.F32).transpose(0, 1), new int[] {1}, false), REDUCE.sum(t.transpose(0, 1), new int[] {1},
                false), 1e-6, "sum of a transposed view");
    }
}
