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

    /** a[i] = fn(a[i]) for i in [0, n), in place. */
    static void apply(UnaryFn fn, float[] a, int n) {
        switch (fn) {
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    a[i] = sigmoid(a[i]);
                }
            }
            case SILU -> { // x * sigmoid(x)
                for (int i = 0; i < n; i++) {
                    a[i] = a[i] * sigmoid(a[i]);
                }
            }
            case SILU_DERIVATIVE -> { // s * (1 + x * (1 - s)), with 1 - s = sigmoid(-x) (no cancellation as s -> 1)
                for (int i = 0; i < n; i++) {
                    float x = a[i];
                    a[i] = sigmoid(x) * (1f + x * sigmoid(-x));
                }
            }
            case GELU -> { // 0.5 * x * (1 + erf(x / √2))
                for (int i = 0; i < n; i++) {
                    float x = a[i];
                    a[i] = 0.5f * x * (1f + erf(x * SQRT_HALF));
                }
            }
            case GELU_DERIVATIVE -> { // Φ(x) + x * φ(x)
                for (int i = 0; i < n; i++) {
                    float x = a[i];
                    a[i] = 0.5f * (1f + erf(x * SQRT_HALF)) + x * exp(-0.5f * x * x) * INV_SQRT_2PI;
                }
            }
            case GELU_TANH -> { // 0.5 x (1 + tanh u) = x * sigmoid(2u), u = √(2/π) (x + 0.044715 x³)
                for (int i = 0; i < n; i++) {
                    float x = a[i];
                    a[i] = x * sigmoid(2f * tanhArgument(x));
                }
            }
            case GELU_TANH_DERIVATIVE -> { // with s = sigmoid(2u): 1 + t = 2s, 1 - t² = 4 s (1 - s), 1 - s = sigmoid(-2u)
                for (int i = 0; i < n; i++) {
                    float x = Math.max(Math.min(a[i], 20f), -20f); // beyond ±20 the value is 1 or 0 in float32, and x³ must not overflow
                    float u2 = 2f * tanhArgument(x);
                    float s = sigmoid(u2);
                    a[i] = s + 2f * x * s * sigmoid(-u2) * SQRT_2_OVER_PI * (1f + 3f * 0.044715f * x * x);
                }
            }
            default -> throw new IllegalArgumentException("UnaryLoops32: no float32 loop for " + fn);
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
        x = Math.max(Math.min(x, 88.7f), -88f);
        float n = (x * 1.44269504088896341f + ROUND) - ROUND; // round(x / ln 2)
        float r = x - n * 0.693359375f - n * -2.12194440e-4f; // ln 2 in two parts: r exact to float precision
        float r2 = r * r;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r2 + r + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23); // 2^n: n in [-127, 128], 2^-127 as 0, 2^128 as +∞
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
