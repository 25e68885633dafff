package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The float32 fast paths of layer norm and softmax (row-staged loops) against the float64
 * reference on shapes with row lengths that are and are not multiples of eight (ViT's 192, 197
 * tokens), with strided inputs and without affine parameters; plus the errors on bad input.
 */
class RowOpsF32PathTest {

    private static double maxRelDiff(Tensor f32, Tensor f64) {
        double[] a = f32.toDoubleArray();
        double[] b = f64.toDoubleArray();
        assertEquals(b.length, a.length);
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            ref = Math.max(ref, Math.abs(b[i]));
        }
        return diff / Math.max(ref, 1e-30);
    }

    /** The float64 tensor and its float32 copy, both leaves that require grad (null: two nulls). */
    private static Tensor[] leaves(Tensor f64) {
        if (f64 == null) {
            return new Tensor[2];
        }
        Tensor f32 = f64.to(DType.F32).requiresGrad(true);
        return new Tensor[] {f64.requiresGrad(true), f32};
    }

    private static void layerNormMatches(int rows, int d, boolean affine, boolean strided) {
        Generator g = new Generator(7);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor x64 = Tensor.uniform(g, -3, 5, DType.F64, Device.CPU, strided ? new int[] {d, rows} : new int[] {rows, d});
            Tensor w64 = affine ? Tensor.uniform(g, 0.5, 1.5, DType.F64, Device.CPU, d) : null;
            Tensor b64 = affine ? Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, d) : null;
            Tensor up64 = Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, rows, d);
            Tensor[] x = leaves(x64);
            Tensor[] w = leaves(w64);
            Tensor[] b = leaves(b64);
            Tensor[] y = new Tensor[2];
            for (int i = 0; i < 2; i++) {
                Tensor in = strided ? x[i].transpose(0, 1) : x[i];
                y[i] = LayerNorm.apply(in, w[i], b[i], 1e-5);
                y[i].backward(i == 0 ? up64 : up64.to(DType.F32));
            }
            String what = rows + "x" + d + (affine ? " affine" : "") + (strided ? " strided" : "");
            assertTrue(maxRelDiff(y[1], y[0]) < 2e-6, "out " + what);
            assertTrue(maxRelDiff(x[1].grad(), x[0].grad()) < 1e-5, "grad_x " + what);
            if (affine) {
                assertTrue(maxRelDiff(w[1].grad(), w[0].grad()) < 1e-5, "grad_w " + what);
                assertTrue(maxRelDiff(b[1].grad(), b[0].grad()) < 1e-5, "grad_b " + what);
            }
        }
    }

    @Test
    void layerNormFloat32MatchesFloat64() {
        layerNormMatches(197, 192, true, false);
        layerNormMatches(130, 13, true, false);
        layerNormMatches(5, 7, false, false);
        layerNormMatches(9, 24, true, true);
    }

    @Test
    void softmaxFloat32MatchesFloat64() {
        Generator g = new Generator(3);
        for (int[] shape : new int[][] {{2, 3, 197, 197}, {4, 7}, {3, 13, 5}}) {
            for (int axis : new int[] {-1, 1}) {
                try (MemoryScope s = MemoryScope.open()) {
                    Tensor x64 = Tensor.uniform(g, -20, 20, DType.F64, Device.CPU, shape);
                    Tensor x32 = x64.to(DType.F32).requiresGrad(true);
                    x64.requiresGrad(true);
                    Tensor up = Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, shape);
                    Tensor y64 = Softmax.apply(x64, axis);
                    Tensor y32 = Softmax.apply(x32, axis);
                    y64.backward(up);
                    y32.backward(up.to(DType.F32));
                    String what = java.util.Arrays.toString(shape) + " axis " + axis;
                    assertTrue(maxRelDiff(y32, y64) < 2e-6, "out " + what);
                    assertTrue(maxRelDiff(x32.grad(), x64.grad()) < 2e-5, "grad " + what);
                    double[] sums = y64.sum(new int[] {axis < 0 ? shape.length - 1 : axis}, false).toDoubleArray();
                    for (double v : sums) {
                        assertEquals(1.0, v, 1e-12, "softmax sums to 1 along its axis");
                    }
                }
            }
        }
    }

    @Test
    void badInputGivesOneLineErrors() {
        Tensor x = Tensor.zeros(DType.F32, Device.CPU, 2, 5);
        var e1 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LayerNorm.apply(x, new int[] {4}, null, null, 1e-5));
        assertTrue(e1.getMessage().contains("[4]") && e1.getMessage().contains("[2,5]"), e1.getMessage());
        var e2 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LayerNorm.apply(x, Tensor.zeros(DType.F32, Device.CPU, 4), null, 1e-5));
        assertTrue(e2.getMessage().contains("weight"), e2.getMessage());
        var e3 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Softmax.apply(x, 2));
        assertTrue(e3.getMessage().contains("axis 2"), e3.getMessage());
        var e4 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(DType.F32, Device.CPU, 2, 1, 3, 4).matmul(Tensor.zeros(DType.F32, Device.CPU, 3, 3, 4, 5)));
        assertTrue(e4.getMessage().contains("matmul"), e4.getMessage());
    }
}
