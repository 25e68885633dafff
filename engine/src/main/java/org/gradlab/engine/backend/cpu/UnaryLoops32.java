package org.gradlab.engine.backend.cpu;

import java.util.EnumSet;
import java.util.Set;
import org.gradlab.engine.backend.UnaryFn;

/**
 * Float32 loops for the transcendental activations training runs on every element of every
 * step (sigmoid, SiLU, GELU in both forms, and their derivatives), computed in float arithmetic
 * with branch-free polynomials so the JIT can vectorise them. The float64 reference is the
 * {@link UnaryFn} constant itself; the per-element reference (a lambda call, {@code Math.exp}
 * in double, and for GELU a series erf) cost a ViT-Tiny step about 25x what PyTorch spends on
 * GELU (figures: bench/README.md, "Figures behind design choices").
 *
 * <p>Building blocks, each within a few float32 ulps of the double function (tested in
 * {@code UnaryLoops32Test} against the reference on a dense grid):
 * <ul>
 *   <li>{@link #exp}: e^x = 2^n * e^r with n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2],
 *       e^r by Cephes' degree-6 polynomial; x clamped to [-88, 88.7]: from about 88.4 on 2^n is 2^128 and the result +∞, below about
 *       -87.7 2^n is 2^-127, flushed to 0 (no subnormals).</li>
 *   <li>{@link #erf}: a rational function P(x)/Q(x) (odd degree 13 over even degree 8) on x
 *       clamped to [-4, 4], where erf is ±1 in float32 (Eigen's {@code generic_fast_erf_float}).</li>
 * </ul>
 * NOTE: NaN propagates through every loop ({@code Math.min}/{@code Math.max} keep NaN).
 */
final class UnaryLoops32 {
    private static final Set<UnaryFn> COVERED = EnumSet.of(UnaryFn.SIGMOID, UnaryFn.SILU, UnaryFn.SILU_DERIVATIVE,
            UnaryFn.GELU, UnaryFn.GELU_DERIVATIVE, UnaryFn.GELU_TANH, UnaryFn.GELU_TANH_DERIVATIVE);

    private static final float SQRT_HALF = 0.70710678118654752440f;
    private static final float INV_SQRT_2PI = 0.39894228040143267794f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286535588f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: x + ROUND - ROUND rounds x to an integer

    private UnaryLoops32() {}

    /** Whether {@code fn} has a loop here. */
    static boolean covers(UnaryFn fn) {
        return COVERED.contains(fn);
    }

    /** Elements per block of the loops below: their scratch arrays stay in the first-level cache. */
    private static final int BLOCK = 2048;

    /**
     * a[i] = fn(a[i]) for i in [0, n), in place: the same arithmetic, bit for bit, as applying the
     * per-element functions below ({@link #exp}, {@link #sigmoid}, {@link #erf}) to each element.
     * NOTE: C2 (JDK 17) does not vectorise a loop that converts between float and int bits, and
     * {@link #exp}'s 2^n does, which left every loop using exp scalar (SiLU's backward about 13x
     * GELU's forward). So exp runs in two passes over a block ({@link #expInPlace}): the
     * polynomial part vectorised, then the 2^n scale as a short scalar pass; the formulas around
     * it are vectorised passes over the block.
     */
    static void apply(UnaryFn fn, float[] a, int n) {
        if (fn == UnaryFn.GELU) { // erf only: no exp, one vectorised pass
            for (int i = 0; i < n; i++) {
                float x = a[i];
                a[i] = 0.5f * x * (1f + erf(x * SQRT_HALF));
            }
            return;
        }
        float[] e1 = HeapStage.scratch(1, BLOCK); // NOTE: slot 0 is the caller's (CpuElementwise.unary stages a there)
        float[] e2 = HeapStage.scratch(2, BLOCK);
        float[] s = HeapStage.scratch(3, BLOCK);
        float[] x = HeapStage.scratch(4, BLOCK);
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            System.arraycopy(a, b, x, 0, len);
            block(fn, x, e1, e2, s, len);
            System.arraycopy(x, 0, a, b, len);
        }
    }

    /** fn over x[0, len) in place, e1/e2/s scratch. */
    private static void block(UnaryFn fn, float[] x, float[] e1, float[] e2, float[] s, int len) {
        switch (fn) {
            case SIGMOID -> { // 1 / (1 + e^-x)
                negated(x, e1, len);
                expInPlace(e1, s, len);
                for (int i = 0; i < len; i++) {
                    x[i] = 1f / (1f + e1[i]);
                }
            }
            case SILU -> { // x * sigmoid(x)
                negated(x, e1, len);
                expInPlace(e1, s, len);
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] * (1f / (1f + e1[i]));
                }
            }
            case SILU_DERIVATIVE -> { // s * (1 + x * (1 - s)), with 1 - s = sigmoid(-x) (no cancellation as s -> 1)
                negated(x, e1, len);
                expInPlace(e1, s, len);
                System.arraycopy(x, 0, e2, 0, len);
                expInPlace(e2, s, len);
                for (int i = 0; i < len; i++) {
                    x[i] = (1f / (1f + e1[i])) * (1f + x[i] * (1f / (1f + e2[i])));
                }
            }
            case GELU_DERIVATIVE -> { // Φ(x) + x * φ(x)
                for (int i = 0; i < len; i++) {
                    e1[i] = -0.5f * x[i] * x[i];
                }
                expInPlace(e1, s, len);
                for (int i = 0; i < len; i++) {
                    x[i] = 0.5f * (1f + erf(x[i] * SQRT_HALF)) + x[i] * e1[i] * INV_SQRT_2PI;
                }
            }
            case GELU_TANH -> { // 0.5 x (1 + tanh u) = x * sigmoid(2u), u = √(2/π) (x + 0.044715 x³)
                for (int i = 0; i < len; i++) {
                    e1[i] = -(2f * tanhArgument(x[i]));
                }
                expInPlace(e1, s, len);
                for (int i = 0; i < len; i++) {
                    x[i] = x[i] * (1f / (1f + e1[i]));
                }
            }
            case GELU_TANH_DERIVATIVE -> { // with s = sigmoid(2u): 1 + t = 2s, 1 - t² = 4 s (1 - s), 1 - s = sigmoid(-2u)
                for (int i = 0; i < len; i++) {
                    x[i] = Math.max(Math.min(x[i], 20f), -20f); // beyond ±20 the value is 1 or 0 in float32, and x³ must not overflow
                    e2[i] = 2f * tanhArgument(x[i]); // u2
                    e1[i] = -e2[i];
                }
                expInPlace(e1, s, len); // e^-u2: sigmoid(u2)
                expInPlace(e2, s, len); // e^u2: sigmoid(-u2)
                for (int i = 0; i < len; i++) {
                    float sg = 1f / (1f + e1[i]);
                    x[i] = sg + 2f * x[i] * sg * (1f / (1f + e2[i])) * SQRT_2_OVER_PI * (1f + 3f * 0.044715f * x[i] * x[i]);
                }
            }
            default -> throw new IllegalArgumentException("UnaryLoops32: no float32 loop for " + fn);
        }
    }

    /** e[i] = -x[i]. */
    private static void negated(float[] x, float[] e, int len) {
        for (int i = 0; i < len; i++) {
            e[i] = -x[i];
        }
    }

    /**
     * e[i] = {@link #exp}(e[i]) for i < len, bit for bit: the clamp, rounding and polynomial in
     * one vectorised pass (n kept in {@code nScratch}), then p * 2^n in a scalar pass.
     */
    static void expInPlace(float[] e, float[] nScratch, int len) {
        for (int i = 0; i < len; i++) {
            float x = clampForExp(e[i]);
            float n = nearestPowerOf2(x);
            e[i] = expMantissa(x, n);
            nScratch[i] = n;
        }
        for (int i = 0; i < len; i++) {
            e[i] *= twoTo(nScratch[i]);
        }
    }

    private static float tanhArgument(float x) {
        return SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
    }

    /** 1 / (1 + e^-x); for x below about -88.4 e^-x is +∞ and the result 0 (the true value is below 2^-127). */
    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** e^x in float32 (see the class comment). */
    static float exp(float x) {
        x = clampForExp(x);
        float n = nearestPowerOf2(x);
        return expMantissa(x, n) * twoTo(n);
    }

    private static float clampForExp(float x) {
        return Math.max(Math.min(x, 88.7f), -88f);
    }

    /** round(x / ln 2) */
    private static float nearestPowerOf2(float x) {
        return (x * 1.44269504088896341f + ROUND) - ROUND;
    }

    /** e^r for r = x - n ln 2 (ln 2 in two parts: r exact to float precision), Cephes' polynomial. */
    private static float expMantissa(float x, float n) {
        float r = x - n * 0.693359375f - n * -2.12194440e-4f;
        float r2 = r * r;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        return p * r2 + r + 1f;
    }

    /** 2^n for n in [-127, 128]: 2^-127 as 0, 2^128 as +∞. NOTE: float to int bits, which C2 does not vectorise. */
    private static float twoTo(float n) {
        return Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** erf(x) in float32 (see the class comment). */
    static float erf(float x) {
        x = Math.max(Math.min(x, 4f), -4f);
        float x2 = x * x;
        float p = -2.72614225801306e-10f;
        p = p * x2 + 2.77068142495902e-08f;
        p = p * x2 + -2.10102402082508e-06f;
        p = p * x2 + -5.69250639462346e-05f;
        p = p * x2 + -7.34990630326855e-04f;
        p = p * x2 + -2.95459980854025e-03f;
        p = p * x2 + -1.60960333262415e-02f;
        p = p * x;
        float q = -1.45660718464996e-05f;
        q = q * x2 + -2.13374055278905e-04f;
        q = q * x2 + -1.68282697438203e-03f;
        q = q * x2 + -7.37332916720468e-03f;
        q = q * x2 + -1.42647390514189e-02f;
        return Math.max(Math.min(p / q, 1f), -1f); // NOTE: the rational overshoots ±1 by up to 2.4e-7 near |x| = 3.7
    }
}
