package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.UnaryFn;
import org.junit.jupiter.api.Test;

/**
 * The float32 elementwise fast paths of {@link CpuElementwise} against its float64 path (the
 * reference): staged ReLU, the bit-mask ReLU backward, staged add and multiply of equal shapes,
 * add and multiply against a broadcast operand (per-channel scale, bias, row vector, either
 * operand order, a non-contiguous operand) and the strided fallbacks are one IEEE operation
 * (or a select) per element, so their float32 result must be the float64 one rounded, bit for
 * bit, NaN and signed zeros included; the staged axpy rounds twice, so it gets one float32 ulp
 * of its terms. Odd sizes throughout.
 */
class ElementwiseF32PathTest {
    private static final ElementwiseKernels EW = CpuBackend.INSTANCE.elementwise();

    /** Special floats first (NaNs, both zeros, infinities, subnormals), then random ones. */
    private static double[] specialThenRandom(int n, long seed) {
        double[] special = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1, -1};
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i < special.length ? special[i] : (float) (r.nextGaussian() * 3);
        }
        return v;
    }

    /** Bit-for-bit equality of the float32 result with the float64 reference rounded to float32. */
    private static void assertRounded(Tensor ref64, Tensor got32, String what) {
        float[] ref = ref64.to(DType.F32).toFloatArray();
        float[] got = got32.toFloatArray();
        assertEquals(ref.length, got.length, what);
        for (int i = 0; i < ref.length; i++) {
            assertEquals(Float.floatToIntBits(ref[i]), Float.floatToIntBits(got[i]),
                    what + ", element " + i + ": reference " + ref[i] + ", float32 path " + got[i]);
        }
    }

    @Test
    void reluTreatsNaNAndSignedZerosAsTheReference() {
        for (int n : new int[] {1, 7, 13, 1001, 3 * CpuElementwise.STAGE + 5}) { // the last: several staged blocks
            Tensor x64 = Tensor.of(specialThenRandom(n, n), n);
            Tensor out64 = x64.relu();
            assertRounded(out64, x64.to(DType.F32).relu(), "relu of " + n);
            if (n > 2) {
                assertEquals(Double.NaN, out64.toDoubleArray()[2], "relu(NaN) is NaN, as in PyTorch");
            }
        }
        Tensor m = Tensor.of(specialThenRandom(35, 5), 5, 7).transpose(0, 1); // a strided input
        assertRounded(m.relu(), m.to(DType.F32).relu(), "relu of a transposed view");
    }

    @Test
    void reluBackwardMasksLikeTheReferenceDenseAndStrided() {
        for (int n : new int[] {1, 9, 1003, 3 * CpuElementwise.STAGE + 5}) {
            Tensor x64 = Tensor.of(specialThenRandom(n, 2 * n), n);
            Tensor g64 = Tensor.of(specialThenRandom(n, 3 * n), n);
            assertRounded(EW.binary(BinaryFn.RELU_BACKWARD, g64, x64),
                    EW.binary(BinaryFn.RELU_BACKWARD, g64.to(DType.F32), x64.to(DType.F32)), "relu backward of " + n);
        }
        Tensor x = Tensor.of(specialThenRandom(33, 7), 3, 11);
        Tensor gT = Tensor.of(specialThenRandom(33, 8), 11, 3); // read transposed: the strided fallback
        assertRounded(EW.binary(BinaryFn.RELU_BACKWARD, gT.transpose(0, 1), x),
                EW.binary(BinaryFn.RELU_BACKWARD, gT.to(DType.F32).transpose(0, 1), x.to(DType.F32)),
                "relu backward, strided g");
    }

    private static void check(int[] as, int[] bs, boolean transposeB, BinaryOperator<Tensor> op, String what) {
        Generator g = new Generator(as.length * 31 + bs.length);
        Tensor a = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, as);
        Tensor b = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, bs);
        if (transposeB) {
            b = b.transpose(0, 1); // a strided view
        }
        assertRounded(op.apply(a.to(DType.F64), b.to(DType.F64)), op.apply(a, b), what);
    }

    @Test
    void addAndMultiplyMatchTheReferenceOnEveryPath() {
        List<BinaryOperator<Tensor>> ops = List.of(Tensor::add, Tensor::mul);
        for (int k = 0; k < ops.size(); k++) {
            BinaryOperator<Tensor> op = ops.get(k);
            String name = k == 0 ? "add" : "mul";
            check(new int[] {3, 5, 7}, new int[] {3, 5, 7}, false, op, name + ", equal shapes (staged)");
            check(new int[] {1}, new int[] {1}, false, op, name + ", one element");
            check(new int[] {4, 3, 5, 6}, new int[] {1, 3, 1, 1}, false, op, name + ", per channel");
            check(new int[] {1, 3, 1, 1}, new int[] {4, 3, 5, 6}, false, op, name + ", per channel first");
            check(new int[] {4, 3, 5, 6}, new int[] {6}, false, op, name + ", a row: step 1");
            check(new int[] {3, 7}, new int[] {3, 1}, false, op, name + ", a column");
            check(new int[] {5, 3}, new int[] {3, 5}, true, op, name + ", b transposed to (5, 3)");
            check(new int[] {2, 3}, new int[] {}, false, op, name + ", a scalar");
            check(new int[] {7, 1}, new int[] {5}, false, op, name + ", both broadcast (strided fallback)");
            check(new int[] {4, 3, 5, 6}, new int[] {4, 3, 1, 1}, false, op, name + ", per sample and channel (squeeze-excitation gate)");
            check(new int[] {4, 3, 5, 6}, new int[] {4, 1, 1, 1}, false, op, name + ", per sample (drop path)");
            check(new int[] {2, 1, 4, 3}, new int[] {2, 1, 1, 3}, false, op, name + ", size-1 axes and a row per sample");
            check(new int[] {4, 3, 50, 60}, new int[] {4, 3, 50, 60}, false, op, name + ", equal shapes, several staged blocks");
            check(new int[] {4, 30, 50, 60}, new int[] {4, 30, 1, 1}, false, op, name + ", gate over several staged blocks of rows");
            check(new int[] {2, 3, 100, 100}, new int[] {2, 3, 1, 1}, false, op, name + ", one row longer than a staged block");
        }
    }

    @Test
    void broadcastAxesMergeWhereTheStridesAllow() {
        int[][] m = BroadcastLoops32.merged(new int[] {4, 3, 5, 6}, new int[] {3, 1, 0, 0});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {12, 30}, m[0], "(N, C, H, W) * (N, C, 1, 1): shape");
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1, 0}, m[1], "(N, C, H, W) * (N, C, 1, 1): strides");
        m = BroadcastLoops32.merged(new int[] {4, 3, 5, 6}, new int[] {0, 1, 0, 0});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {4, 3, 30}, m[0], "per channel: shape");
        m = BroadcastLoops32.merged(new int[] {1, 1}, new int[] {0, 0});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {1}, m[0], "all ones");
    }

    /**
     * Every other function (but the activations of {@link UnaryLoops32} and their backward) evaluates its double formula on the widened float and rounds once,
     * staged (unary; binary of two dense equal-shape operands) or through the strided fallback: the
     * float64 result rounded, bit for bit.
     */
    @Test
    void everyFunctionIsItsReferenceRounded() {
        for (int n : new int[] {1, 13, 1001, 3 * CpuElementwise.STAGE + 5}) {
            Tensor x64 = Tensor.of(specialThenRandom(n, 4 * n), n);
            Tensor y64 = Tensor.of(specialThenRandom(n, 5 * n), n);
            for (UnaryFn fn : UnaryFn.values()) {
                if (UnaryLoops32.covers(fn)) {
                    continue; // float polynomials, within a few ulps: UnaryLoops32Test
                }
                assertRounded(EW.unary(fn, x64, 0.5, 2.0), EW.unary(fn, x64.to(DType.F32), 0.5, 2.0), fn + " of " + n);
            }
            // a scale alone: positive float-exact scales (attention's 1/√d, a float's worth of digits, a subnormal) take
            // the float loop; ±0 in, a product that underflows, overflows: the reference's bits all the same
            for (double scale : new double[] {0.125, 3.0, 0.1f, 1e-40f, 0.1, -3.0}) {
                assertRounded(EW.unary(UnaryFn.AFFINE, x64, scale, 0), EW.unary(UnaryFn.AFFINE, x64.to(DType.F32), scale, 0),
                        "scale by " + scale + " of " + n);
            }
            for (BinaryFn fn : BinaryFn.values()) {
                if (fn.derivative() != null) {
                    continue; // g * f'(x): UnaryLoops32Test
                }
                assertRounded(EW.binary(fn, x64, y64), EW.binary(fn, x64.to(DType.F32), y64.to(DType.F32)), fn + " of " + n);
            }
        }
        Tensor m = Tensor.of(specialThenRandom(35, 6), 5, 7);
        Tensor mt = Tensor.of(specialThenRandom(35, 9), 7, 5).transpose(0, 1); // the strided fallback
        for (BinaryFn fn : BinaryFn.values()) {
            if (fn.derivative() != null) {
                continue; // NOTE: Math.exp in the derivative may differ by an ulp between the interpreter and the JIT
            }
            assertRounded(EW.binary(fn, m, mt), EW.binary(fn, m.to(DType.F32), mt.to(DType.F32)), fn + ", strided");
        }
    }

    @Test
    void axpyMatchesTheReference() {
        for (int n : new int[] {1, 6, 1001, 3 * CpuElementwise.STAGE + 5}) {
            Generator g = new Generator(n);
            Tensor d32 = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, n);
            Tensor s32 = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, n);
            Tensor d64 = d32.to(DType.F64);
            float[] before = d32.toFloatArray();
            float[] x = s32.toFloatArray();
            EW.axpy(d32, s32, 0.375);
            EW.axpy(d64, s32.to(DType.F64), 0.375);
            float[] ref = d64.to(DType.F32).toFloatArray();
            float[] got = d32.toFloatArray();
            for (int i = 0; i < n; i++) {
                // float32 rounds a*x and then the sum, float64 only the result: within one float32 ulp of the terms
                float tol = Math.ulp(Math.abs(before[i]) + Math.abs(0.375f * x[i]));
                assertEquals(ref[i], got[i], tol, "axpy of " + n + ", element " + i);
            }
        }
    }
}
