package org.gradlab.engine.backend.cpu;

/**
 * Float32 e^x and erf(x) as branch-free polynomials the JIT can vectorise, for the activation
 * loops ({@link UnaryLoops32}) and softmax ({@link RowLoops32}); each within a few float32 ulps
 * of the double function (tested in {@code UnaryLoops32Test} against the reference on a dense
 * grid):
 * <ul>
 *   <li>{@link #exp}: e^x = 2^n * e^r with n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2],
 *       e^r by Cephes' degree-6 polynomial; x clamped to [-88, 88.7]: from about 88.4 on 2^n is 2^128 and the result +∞, below about
 *       -87.7 2^n is 2^-127, flushed to 0 (no subnormals).</li>
 *   <li>{@link #erf}: a rational function P(x)/Q(x) (odd degree 13 over even degree 8) on x
 *       clamped to [-4, 4], where erf is ±1 in float32 (Eigen's {@code generic_fast_erf_float});
 *       its value may pass ±1 by up to 2.4e-7 (not clamped: see the method).</li>
 *   <li>{@link #erfcOverGaussian}: erfc(a)·e^(a²) for a ≥ 0 (Abramowitz and Stegun 7.1.26), for a caller
 *       that has e^(−a²) already (GELU's derivative): erfc(a) within 5.4e-7 absolutely in float.</li>
 * </ul>
 * NOTE: NaN propagates ({@code Math.min}/{@code Math.max} keep NaN).
 */
final class FloatMath32 {
    /** 1.5 * 2^23: x + ROUND - ROUND rounds x to an integer. */
    static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000; // Float.floatToRawIntBits(ROUND)

    private FloatMath32() {}

    /**
     * e[i] = {@link #exp}(e[i]) for i < len, bit for bit, in passes the JIT vectorises:
     * the clamp, rounding and polynomial, keeping t = x / ln 2 + 1.5 * 2^23, whose bits are
     * 0x4B400000 + n for n = round(x / ln 2) in [-127, 128]; t's bits moved to an int array (one
     * bulk copy, {@link OffHeap#moveBits}); (n + 127) << 23, the bits of 2^n (0 for n = -127, +inf
     * for 128), in integer arithmetic; those bits moved back as floats; the product. NOTE: every
     * array is indexed from 0: with an offset into e, C2 cannot rule out that e and the scratch
     * overlap and leaves the loop scalar (9x slower). The exponent is clamped to at most
     * {@code max} (<= {@link #EXP_MAX}); powers and bits are scratch of at least len.
     */
    static void expBlock(float[] e, float[] powers, int[] bits, int len, float max) {
        for (int i = 0; i < len; i++) {
            float x = Math.max(Math.min(e[i], max), EXP_MIN);
            float t = x * LOG2E + ROUND;
            e[i] = expMantissa(x, t - ROUND);
            powers[i] = t;
        }
        powersOfTwo(powers, bits, len);
        for (int i = 0; i < len; i++) {
            e[i] *= powers[i];
        }
    }

    /** powers[i] = t = n + ROUND becomes 2^n, for i < len (the bits moved to ints and back: see {@link #expBlock}). */
    static void powersOfTwo(float[] powers, int[] bits, int len) {
        OffHeap.moveBits(powers, bits, len, true);
        for (int i = 0; i < len; i++) {
            bits[i] = (bits[i] - ROUND_BITS + 127) << 23;
        }
        OffHeap.moveBits(powers, bits, len, false);
    }

    /** e^x in float32 (see the class comment). */
    static float exp(float x) {
        x = clampForExp(x);
        float n = nearestPowerOf2(x);
        return expMantissa(x, n) * twoTo(n);
    }

    /** exp's clamp (see the class comment). */
    static final float EXP_MAX = 88.7f;
    static final float EXP_MIN = -88f;

    /** 1 / ln 2: x * LOG2E is x / ln 2. */
    static final float LOG2E = 1.44269504088896341f;

    private static float clampForExp(float x) {
        return Math.max(Math.min(x, EXP_MAX), EXP_MIN);
    }

    /** round(x / ln 2) */
    private static float nearestPowerOf2(float x) {
        return (x * LOG2E + ROUND) - ROUND;
    }

    /** e^r for r = x - n ln 2 (ln 2 in two parts: r exact to float precision), Cephes' polynomial. */
    static float expMantissa(float x, float n) {
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

    /** erf(x) in float32 (see the class comment); Horner steps as fused multiply-adds (C2 vectorises Math.fma). */
    static float erf(float x) {
        return erfRational(Math.max(Math.min(x, 4f), -4f));
    }

    /**
     * erf(x) for x ≥ 0 (or NaN): {@link #erf} bit for bit there, with one clamp instead of two (C2's vector
     * {@code Math.min}/{@code max} cost several instructions each); the rational is odd, so erf(−x) = −erf(x) exactly.
     */
    static float erfOfNonNegative(float x) {
        return erfRational(Math.min(x, 4f));
    }

    /**
     * erfc(a)·e^(a²) for a ≥ 0: t·P(t) with t = 1/(1 + 0.3275911·a), P of degree 4 (Abramowitz and Stegun 7.1.26);
     * times e^(−a²) it is erfc(a) within 1.4e-7 absolutely in exact arithmetic; in float within 5.4e-7 (worst near
     * a = 0.03, where P's alternating terms of up to 1.45 sum to about 1 and their roundings add up), so Φ within 2.7e-7.
     * One division and five multiply-adds: where e^(−a²) is computed anyway (GELU's φ(x) = e^(−x²/2)/√(2π) at
     * a = |x|/√2) it gives Φ(x) without {@link #erf}'s rational (a division and ten multiply-adds).
     * NOTE: the product is accurate absolutely, not relatively: erfc(a) itself for large a is not what this is for.
     */
    static float erfcOverGaussian(float a) {
        float t = 1f / Math.fma(0.3275911f, a, 1f);
        float p = Math.fma(1.061405429f, t, -1.453152027f);
        p = Math.fma(p, t, 1.421413741f);
        p = Math.fma(p, t, -0.284496736f);
        p = Math.fma(p, t, 0.254829592f);
        return p * t;
    }

    /** The rational P(x)/Q(x) on x already in [−4, 4]. */
    private static float erfRational(float x) {
        float x2 = x * x;
        float p = -2.72614225801306e-10f;
        p = Math.fma(p, x2, 2.77068142495902e-08f);
        p = Math.fma(p, x2, -2.10102402082508e-06f);
        p = Math.fma(p, x2, -5.69250639462346e-05f);
        p = Math.fma(p, x2, -7.34990630326855e-04f);
        p = Math.fma(p, x2, -2.95459980854025e-03f);
        p = Math.fma(p, x2, -1.60960333262415e-02f);
        p = p * x;
        float q = -1.45660718464996e-05f;
        q = Math.fma(q, x2, -2.13374055278905e-04f);
        q = Math.fma(q, x2, -1.68282697438203e-03f);
        q = Math.fma(q, x2, -7.37332916720468e-03f);
        q = Math.fma(q, x2, -1.42647390514189e-02f);
        // NOTE: not clamped to [-1, 1]: the rational overshoots ±1 by up to 2.4e-7 near |x| = 3.7, within
        // the 4e-7 the tests allow, and the two Math.min/max cost GELU's loops more than its division
        return p / q;
    }
}
