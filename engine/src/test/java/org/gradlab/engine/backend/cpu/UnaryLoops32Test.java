package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.Erf;
import org.gradlab.engine.backend.UnaryFn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The float32 activation loops ({@link UnaryLoops32}) against their float64 references (the
 * {@link UnaryFn} constants, {@link Erf}, {@code Math.exp}) on a dense grid over [-20, 20], the
 * special values and random Gaussians: within a few float32 ulps of the reference value, or an
 * absolute 2^-24 where the value is near zero, which float32 training cannot tell apart; erf
 * within 4e-7 absolutely (NOTE: so GELU's far negative tail, 0.5 x (1 + erf), is accurate
 * absolutely, not relatively: -0.0066230 for -0.0066232 at x = -2.83). Then
 * through the backend at 1, 2 and 3 threads: the same bits as the loop.
 */
class UnaryLoops32Test {
    /** The rational erf's absolute error bound (its largest is about 3.4e-7, near |x| = 3.4, where erf is ±0.999998). */
    private static final double ERF_ABSOLUTE = 4e-7;
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
        Parallel.setMinChunkWork(0);
    }

    private static float[] grid() {
        int dense = 40_001;
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-20f, -1e-20f, 30f, -30f, 88f,
            -88f, 100f, -100f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE};
        Random r = new Random(7);
        float[] x = new float[dense + special.length + 5000];
        for (int i = 0; i < dense; i++) {
            x[i] = -20f + i * 1e-3f;
        }
        System.arraycopy(special, 0, x, dense, special.length);
        for (int i = dense + special.length; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
        }
        return x;
    }

    /**
     * |got - ref| within {@code ulps} float32 ulps of ref, or within {@code absolute} (at least
     * 2^-24): for erf and GELU the rational erf's absolute error times the factor that multiplies it.
     */
    private static void assertNear(double ref, float got, int ulps, double absolute, String what) {
        double tol = Math.max(ulps * Math.ulp((float) ref), Math.max(absolute, 0x1p-24));
        assertTrue(Math.abs(got - ref) <= tol || Double.isNaN(ref) && Float.isNaN(got),
                what + ": reference " + ref + ", float32 loop " + got + ", " + Math.abs(got - ref) / Math.ulp((float) ref) + " ulps");
    }

    @Test
    void expAndErfAreWithinAFewUlps() {
        for (float x : grid()) {
            double e = Math.exp(x);
            if (x > -87.3f && x < 88.3f) { // the clamped range: outside it the loops only need saturation
                assertNear(e, FloatMath32.exp(x), 2, 0, "exp(" + x + ")");
            }
            assertNear(Erf.erf(x), FloatMath32.erf(x), 4, ERF_ABSOLUTE, "erf(" + x + ")");
        }
        assertEquals(0f, FloatMath32.exp(-1000f), 1e-37f, "exp saturates toward 0");
        assertTrue(FloatMath32.exp(1000f) > 1e38f, "exp saturates high, finite");
        assertTrue(Float.isNaN(FloatMath32.exp(Float.NaN)) && Float.isNaN(FloatMath32.erf(Float.NaN)), "NaN propagates");
    }

    @Test
    void erfOfANonNegativeArgumentIsErfBitForBit() {
        for (float x : grid()) {
            float v = Math.abs(x);
            assertEquals(Float.floatToIntBits(FloatMath32.erf(v)), Float.floatToIntBits(FloatMath32.erfOfNonNegative(v)), "erf(" + v + ")");
            assertEquals(Float.floatToIntBits(-FloatMath32.erf(v)), Float.floatToIntBits(FloatMath32.erf(-v)), "erf is odd at " + v);
        }
        assertTrue(Float.isNaN(FloatMath32.erfOfNonNegative(Float.NaN)), "NaN propagates");
    }

    /**
     * erfcOverGaussian(a)·e^(−a²) is erfc(a) within 6e-7 on a ≥ 0 (Abramowitz and Stegun's 1.4e-7 in exact
     * arithmetic; the float roundings of P's alternating terms near a = 0.03 bring it to 5.4e-7), the product taken in
     * float as GELU's derivative takes it; the reference is 1 − erf in double.
     */
    @Test
    void erfcFromTheGaussianIsWithinItsBound() {
        for (float x : grid()) {
            float a = Math.abs(x);
            float gauss = FloatMath32.exp(-a * a);
            double erfc = 1 - Erf.erf(a);
            float got = FloatMath32.erfcOverGaussian(a) * gauss;
            assertTrue(Math.abs(got - erfc) <= 6e-7, "erfc(" + a + "): reference " + erfc + ", float32 " + got);
        }
        assertTrue(Float.isNaN(FloatMath32.erfcOverGaussian(Float.NaN)), "NaN propagates");
    }

    @Test
    void everyLoopIsNearItsReference() {
        float[] x = grid();
        for (UnaryFn fn : UnaryFn.values()) {
            if (!UnaryLoops32.covers(fn)) {
                continue;
            }
            float[] a = x.clone();
            UnaryLoops32.apply(fn, a, a.length);
            boolean usesErf = fn == UnaryFn.GELU || fn == UnaryFn.GELU_DERIVATIVE;
            for (int i = 0; i < x.length; i++) {
                double erfError = usesErf ? 0.5 * ERF_ABSOLUTE * Math.max(1, Math.abs(x[i])) : 0; // erf's error times its factor
                assertNear(fn.apply(x[i], 0, 0), a[i], 8, erfError, fn + "(" + x[i] + ")");
            }
            float[] nan = {Float.NaN};
            UnaryLoops32.apply(fn, nan, 1);
            assertTrue(Float.isNaN(nan[0]), fn + "(NaN) is NaN");
        }
    }

    /**
     * GELU's derivative loop (its exp fused into the −x²/2 pass, unclamped) is the formula from {@code exp} and
     * {@code erfcOverGaussian}, bit for bit: Φ(x) = 0.5 + sign(x)·(0.5 − erfc(|x|/√2)/2) from φ's own exponential.
     */
    @Test
    void geluDerivativeIsItsElementFormulaBitForBit() {
        float[] x = grid();
        float[] a = x.clone();
        UnaryLoops32.apply(UnaryFn.GELU_DERIVATIVE, a, a.length);
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            float gauss = FloatMath32.exp(-0.5f * v * v);
            float halfErfc = 0.5f * FloatMath32.erfcOverGaussian(Math.abs(v) * 0.70710678118654752440f) * gauss;
            float sign = Math.max(Math.min(v * 0x1p100f, 1f), -1f); // sign(v), a fraction only below 2^-100
            float want = Math.fma(sign, 0.5f - halfErfc, 0.5f) + v * gauss * 0.39894228040143267794f;
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(a[i]), "gelu'(" + v + ")");
        }
    }

    /**
     * The one-sweep backward g * f'(x) (the BinaryFn constants with a derivative) is the
     * derivative's loop times g, bit for bit, so it inherits the derivative's accuracy; and
     * through the backend at 1, 2 and 3 threads, the same bits; float64 is the reference itself.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void theFusedBackwardIsTheDerivativeTimesTheGradient(int threads) {
        Parallel.setThreads(threads);
        Parallel.setMinChunkWork(1);
        float[] x = grid();
        float[] g = new float[x.length];
        Random r = new Random(11);
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian();
        }
        Tensor xt = Tensor.of(x, x.length);
        Tensor gt = Tensor.of(g, g.length);
        int fused = 0;
        for (BinaryFn fn : BinaryFn.values()) {
            if (fn.derivative() == null) {
                continue;
            }
            fused++;
            assertTrue(UnaryLoops32.covers(fn.derivative()), fn + " has a float32 loop");
            float[] d = x.clone();
            UnaryLoops32.apply(fn.derivative(), d, d.length);
            float[] got = CpuBackend.INSTANCE.elementwise().binary(fn, gt, xt).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(g[i] * d[i]), Float.floatToIntBits(got[i]), fn + " at x = " + x[i]);
            }
            double[] got64 = CpuBackend.INSTANCE.elementwise().binary(fn, gt.to(DType.F64), xt.to(DType.F64)).toDoubleArray();
            for (int i = 0; i < x.length; i += 97) {
                assertEquals(g[i] * fn.derivative().apply(x[i], 0, 0), got64[i], 0, fn + " in float64 at x = " + x[i]);
            }
        }
        assertEquals(3, fused, "SiLU, GELU and tanh-GELU backward");
        int m = x.length / 2; // g read transposed: not dense, the strided path (the double formula, rounded)
        Tensor gT = Tensor.of(java.util.Arrays.copyOf(g, 2 * m), m, 2).transpose(0, 1);
        Tensor x2 = Tensor.of(java.util.Arrays.copyOf(x, 2 * m), 2, m);
        float[] got = CpuBackend.INSTANCE.elementwise().binary(BinaryFn.SILU_BACKWARD, gT, x2).toFloatArray();
        for (int i = 0; i < 2 * m; i++) {
            float gi = g[(i % m) * 2 + i / m];
            assertNear(gi * UnaryFn.SILU_DERIVATIVE.apply(x[i], 0, 0), got[i], 1, 0, "strided SiLU backward at x = " + x[i]);
        }
    }

    /**
     * Batch norm + SiLU's backward from the forward's output: silu'(y) with sigmoid(y) taken back
     * as out / y (no exp) is within 8 ulps of the float64 reference plus |y| * 2^-23 (1 - s from a
     * float s near 1, times out ~ y: at most about 1e-6 of silu' = 1 + y e^-y, near y = 16); y = 0
     * gives 1/2 exactly; g multiplies it.
     */
    @Test
    void siluDerivativeFromTheOutput() {
        float[] y = grid();
        float[] out = y.clone();
        UnaryLoops32.apply(UnaryFn.SILU, out, y.length);
        float[] g = new float[y.length];
        java.util.Arrays.fill(g, 1f);
        UnaryLoops32.multiplyBySiluDerivative(g, y, out, y.length);
        for (int i = 0; i < y.length; i++) {
            double ref = UnaryFn.SILU_DERIVATIVE.apply(y[i], 0, 0);
            assertNear(ref, g[i], 0, 8 * Math.ulp((float) ref) + Math.abs(y[i]) * 0x1p-23, "silu'(" + y[i] + ") from silu(y)");
        }
        float[] g3 = {3f, -2f};
        UnaryLoops32.multiplyBySiluDerivative(g3, new float[] {0f, -0f}, new float[] {0f, -0f}, 2);
        assertArrayEquals(new float[] {1.5f, -1f}, g3, "silu'(0) = 1/2 times g");
    }

    /** The two-pass exp over an array (and sigmoid built on it) gives exp's and sigmoid's bits, element for element. */
    @Test
    void theArrayExpIsTheElementExpBitForBit() {
        float[] x = grid();
        float[] e = x.clone();
        UnaryLoops32.expInPlace(e, x.length);
        float[] sg = x.clone();
        UnaryLoops32.apply(UnaryFn.SIGMOID, sg, sg.length);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(FloatMath32.exp(x[i])), Float.floatToIntBits(e[i]), "exp(" + x[i] + ")");
            assertEquals(Float.floatToIntBits(UnaryLoops32.sigmoid(x[i])), Float.floatToIntBits(sg[i]), "sigmoid(" + x[i] + ")");
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void theBackendRunsTheLoopsOnEveryChunk(int threads) {
        Parallel.setThreads(threads);
        Parallel.setMinChunkWork(1);
        float[] x = grid();
        Tensor t = Tensor.of(x, x.length);
        for (UnaryFn fn : UnaryFn.values()) {
            if (!UnaryLoops32.covers(fn)) {
                continue;
            }
            float[] expected = x.clone();
            UnaryLoops32.apply(fn, expected, expected.length);
            float[] got = CpuBackend.INSTANCE.elementwise().unary(fn, t, 0, 0).toFloatArray();
            assertArrayEquals(expected, got, fn + " with " + threads + " threads");
            assertEquals(DType.F32, t.dtype());
        }
    }
}
