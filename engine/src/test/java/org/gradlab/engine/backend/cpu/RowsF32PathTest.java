package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.RowKernels;
import org.gradlab.engine.backend.RowKernels.LayerNormGrads;
import org.gradlab.engine.backend.RowKernels.LayerNormResult;
import org.junit.jupiter.api.Test;

/**
 * The float32 row loops ({@link RowLoops32}: layer norm and last-axis softmax, forward and
 * backward) against the float64 reference ({@link RowsReference}): rows of odd length, a row
 * count that is not a multiple of the weight-gradient blocks (64 rows), with and without affine
 * parameters, each gradient asked for alone. Everything within float32 rounding of the reference.
 */
class RowsF32PathTest {
    private static final RowKernels ROWS = CpuBackend.INSTANCE.rows();

    @Test
    void layerNormMatchesTheReference() {
        for (int[] shape : new int[][] {{3, 50, 37}, {2, 5, 8}, {150, 1}}) {
            int d = shape[shape.length - 1];
            for (boolean affine : new boolean[] {true, false}) {
                Generator gen = new Generator(d * 7 + shape[0]);
                Tensor x64 = exactInF32(gen, shape);
                Tensor w64 = affine ? exactInF32(gen, d) : null;
                Tensor b64 = affine ? exactInF32(gen, d) : null;
                Tensor g64 = exactInF32(gen, shape);
                Tensor x32 = x64.to(DType.F32);
                Tensor w32 = affine ? w64.to(DType.F32) : null;
                Tensor g32 = g64.to(DType.F32);
                String what = "layer norm " + java.util.Arrays.toString(shape) + (affine ? " affine" : "");
                LayerNormResult r64 = ROWS.layerNormForward(x64, d, w64, b64, 1e-5);
                LayerNormResult r32 = ROWS.layerNormForward(x32, d, w32, affine ? b64.to(DType.F32) : null, 1e-5);
                assertClose(r32.out(), r64.out(), 1e-5, what + ": out");
                assertClose(r32.mean(), r64.mean(), 1e-5, what + ": mean");
                assertClose(r32.invstd(), r64.invstd(), 1e-5, what + ": invstd");
                LayerNormGrads q64 = ROWS.layerNormBackward(g64, x64, d, w64, r64.mean(), r64.invstd(), true, affine, affine);
                LayerNormGrads q32 = ROWS.layerNormBackward(g32, x32, d, w32, r32.mean(), r32.invstd(), true, affine, affine);
                assertClose(q32.gradX(), q64.gradX(), 1e-4, what + ": grad_x");
                if (affine) {
                    assertClose(q32.gradWeight(), q64.gradWeight(), 1e-5, what + ": grad_w");
                    assertClose(q32.gradBias(), q64.gradBias(), 1e-5, what + ": grad_b");
                    // one gradient asked for at a time: the others are null, the one asked for is the same
                    LayerNormGrads onlyX = ROWS.layerNormBackward(g32, x32, d, w32, r32.mean(), r32.invstd(), true, false, false);
                    LayerNormGrads onlyWb = ROWS.layerNormBackward(g32, x32, d, w32, r32.mean(), r32.invstd(), false, true, true);
                    assertClose(onlyX.gradX(), q64.gradX(), 1e-4, what + ": grad_x alone");
                    assertClose(onlyWb.gradWeight(), q64.gradWeight(), 1e-5, what + ": grad_w without grad_x");
                    assertClose(onlyWb.gradBias(), q64.gradBias(), 1e-5, what + ": grad_b without grad_x");
                    assertNull(onlyX.gradWeight(), what + ": grad_w not asked for");
                    assertNull(onlyWb.gradX(), what + ": grad_x not asked for");
                }
            }
        }
    }

    @Test
    void lastAxisSoftmaxMatchesTheReference() {
        for (int[] shape : new int[][] {{4, 70, 33}, {3, 1}, {130, 9}, {3, 3, 50, 50}, {2, 3000}}) { // groups of short rows; rows above a group
            Generator gen = new Generator(shape[0] * 3 + shape[1]);
            Tensor x64 = exactInF32(gen, shape).mul(4.0);
            Tensor g64 = exactInF32(gen, shape);
            int axis = shape.length - 1;
            String what = "softmax " + java.util.Arrays.toString(shape);
            Tensor y64 = ROWS.softmax(x64, axis);
            Tensor y32 = ROWS.softmax(x64.to(DType.F32), axis);
            assertClose(y32, y64, 1e-6, what);
            assertClose(ROWS.softmaxBackward(g64.to(DType.F32), y32, axis), ROWS.softmaxBackward(g64, y64, axis), 1e-5,
                    what + ": backward");
        }
    }
}
