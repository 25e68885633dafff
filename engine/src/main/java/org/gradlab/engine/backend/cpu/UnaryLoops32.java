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
 *       clamped to [-4, 4], where erf is ±1 in float32 (Eigen's {@code generic_fast_erf_float});
 *       its value may pass ±1 by up to 2.4e-7 (not clamped: see the method).</li>
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
    private static final int ROUND_BITS = 0x4B400000; // Float.floatToRawIntBits(ROUND)

    private UnaryLoops32() {}

    /** Whether {@code fn} has a loop here. */
    static boolean covers(UnaryFn fn) {
        return COVERED.contains(fn);
    }

    /** Elements per block of the loops below: their scratch arrays stay in the first-level cache. */
    private static final int BLOCK = 2048;

    /** Per-thread block scratch: allocated once per thread, so the loops allocate nothing. */
    private static final class Scratch {
        final float[] x = new float[BLOCK];
        final float[] e1 = new float[BLOCK];
        /** Not used by the block loops: multiplyByDerivative's and expInPlace's staging. */
        final float[] e2 = new float[BLOCK];
        final float[] powers = new float[BLOCK];
        final int[] bits = new int[BLOCK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** fn over x[0, len) in place (len <= BLOCK), with the thread's scratch. */
    @FunctionalInterface
    private interface BlockLoop {
        void run(float[] x, Scratch s, int len);
    }

    /**
     * NOTE: one method per function, called through this interface, so C2 compiles each on its own.
     * With every case in one switch the method outgrew C2's inlining budget: after SiLU had run,
     * GELU's derivative (erf not inlined, so not vectorised) took 9.5 ns per element instead of 2.
     */
    private static BlockLoop loop(UnaryFn fn) {
        return switch (fn) {
            case SIGMOID -> UnaryLoops32::sigmoid;
            case SILU -> UnaryLoops32::silu;
            case SILU_DERIVATIVE -> UnaryLoops32::siluDerivative;
            case GELU -> UnaryLoops32::gelu;
            case GELU_DERIVATIVE -> UnaryLoops32::geluDerivative;
            case GELU_TANH -> UnaryLoops32::geluTanh;
            case GELU_TANH_DERIVATIVE -> UnaryLoops32::geluTanhDerivative;
            default -> throw new IllegalArgumentException("UnaryLoops32: no float32 loop for " + fn);
        };
    }

    /**
     * a[i] = fn(a[i]) for i in [0, n), in place: the same arithmetic, bit for bit, as applying the
     * per-element functions below ({@link #exp}, {@link #sigmoid}, {@link #erf}) to each element,
     * except that SiLU's derivative takes sigmoid(-x) as e^-x * sigmoid(x) (see there) and tanh-GELU's as
     * 1 / (1 + 1/e^-x), from the one exp they compute. NOTE: C2 (JDK 17) does not vectorise a loop that converts between
     * float and int bits, which {@link #exp}'s 2^n does; the array exp ({@link #expBlock}) moves
     * the bits by bulk copies instead, so every pass over a block is vectorised.
     */
    static void apply(UnaryFn fn, float[] a, int n) {
        if (fn == UnaryFn.GELU) { // erf only: one pass over a, no block copies
            gelu(a, null, n);
            return;
        }
        BlockLoop loop = loop(fn);
        Scratch s = SCRATCH.get();
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            System.arraycopy(a, b, s.x, 0, len);
            loop.run(s.x, s, len);
            System.arraycopy(s.x, 0, a, b, len);
        }
    }

    /**
     * out[i] = fn(x[i]) for i in [0, n), x and out float addresses off-heap (checked by the caller,
     * {@link OffHeap#floats}): each block is copied straight into the scratch and back, so a large
     * tensor crosses memory once each way instead of also through a staged copy of the whole range.
     */
    static void apply(UnaryFn fn, long x, long out, int n) {
        BlockLoop loop = loop(fn);
        Scratch s = SCRATCH.get();
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            OffHeap.load(OffHeap.plus(x, b), s.x, len);
            loop.run(s.x, s, len);
            OffHeap.store(s.x, len, OffHeap.plus(out, b));
        }
    }

    /**
     * out[i] = g[i] * derivative(x[i]) for i in [0, n), all off-heap addresses, a block at a time
     * (see above): a backward pass in one sweep, where {@code g.mul(unary(derivative, x))} makes a
     * second pass and a tensor in between. NOTE: g's block is loaded at index 0 like the
     * derivative's, so C2 vectorises the product (see {@link #expBlock}).
     */
    static void multiplyByDerivative(UnaryFn derivative, long g, long x, long out, int n) {
        BlockLoop loop = loop(derivative);
        Scratch s = SCRATCH.get();
        float[] d = s.x;
        float[] gb = s.e2;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            OffHeap.load(OffHeap.plus(x, b), d, len);
            OffHeap.load(OffHeap.plus(g, b), gb, len);
            timesDerivative(derivative, loop, s, len);
            OffHeap.store(gb, len, OffHeap.plus(out, b));
        }
    }

    /**
     * g[i] *= derivative(x[i]) for i in [0, n), heap arrays (x unchanged):
     * the same arithmetic, bit for bit, as the off-heap {@link #multiplyByDerivative(UnaryFn, long, long, long, int)}.
     */
    static void multiplyByDerivative(UnaryFn derivative, float[] g, float[] x, int n) {
        BlockLoop loop = loop(derivative);
        Scratch s = SCRATCH.get();
        float[] d = s.x;
        float[] gb = s.e2;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            System.arraycopy(x, b, d, 0, len);
            System.arraycopy(g, b, gb, 0, len);
            timesDerivative(derivative, loop, s, len);
            System.arraycopy(gb, 0, g, b, len);
        }
    }

    /**
     * The staged block of g (s.e2) times derivative(x) (x staged in s.x, overwritten), both at
     * index 0; GELU's derivative by its fused loop.
     */
    private static void timesDerivative(UnaryFn derivative, BlockLoop loop, Scratch s, int len) {
        float[] d = s.x;
        float[] gb = s.e2;
        if (derivative == UnaryFn.GELU_DERIVATIVE) {
            multiplyByGeluDerivative(d, gb, s, len);
            return;
        }
        loop.run(d, s, len);
        for (int i = 0; i < len; i++) {
            gb[i] *= d[i];
        }
    }

    /** 1 / (1 + e^-x) */
    private static void sigmoid(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        negated(x, e, len);
        expBlock(e, len, s);
        for (int i = 0; i < len; i++) {
            x[i] = 1f / (1f + e[i]);
        }
    }

    /** x * sigmoid(x) */
    private static void silu(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        negated(x, e, len);
        expBlock(e, len, s);
        for (int i = 0; i < len; i++) {
            x[i] = x[i] * (1f / (1f + e[i]));
        }
    }

    /**
     * s + x * s * (1 - s) = s + x * (s * s * e^-x), s = sigmoid(x) = 1 / (1 + e^-x), as 1 - s =
     * sigmoid(-x) = e^-x * s (no cancellation as s -> 1). One division per element instead of the
     * three of 1 / (1 + 1/e^-x) for 1 - s: divisions are the slowest vector instruction in these
     * loops. NOTE: e^-x is taken with -x clamped to at most 88 (e^88 = 1.7e38, finite), so that
     * s * s * e^-x is never 0 * inf far left of zero; there s * s underflows to 0 and the value is
     * s, below 1e-35 where the exact one is below 1e-33. x = ±inf gives NaN, as the reference does.
     */
    private static void siluDerivative(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        negated(x, e, len);
        expBlock(e, len, s, SILU_DERIVATIVE_EXP_MAX);
        for (int i = 0; i < len; i++) {
            float sg = 1f / (1f + e[i]);
            x[i] = sg + x[i] * (sg * sg * e[i]);
        }
    }

    /** The largest exponent siluDerivative's exp sees: e^88 is finite in float32. */
    private static final float SILU_DERIVATIVE_EXP_MAX = 88f;

    /** 0.5 x (1 + erf(x / √2)): erf only, one pass (any len; s unused). */
    private static void gelu(float[] x, Scratch s, int len) {
        for (int i = 0; i < len; i++) {
            float v = x[i];
            x[i] = 0.5f * v * (1f + erf(v * SQRT_HALF));
        }
    }

    /**
     * Φ(x) + x * φ(x). NOTE: φ's e^(−x²/2) is {@link #expBlock}'s arithmetic, bit for bit, in one pass
     * with −x²/2 and without its clamp: −x²/2 is never above 0, and min(x², 176) stops it at −88 where
     * the clamp would (the clamp's Math.min/max cost a third of that pass).
     */
    private static void geluDerivative(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        float[] powers = s.powers;
        halfSquareExponentials(x, e, powers, len);
        powersOfTwo(len, s);
        for (int i = 0; i < len; i++) {
            x[i] = 0.5f * (1f + erf(x[i] * SQRT_HALF)) + x[i] * (e[i] * powers[i]) * INV_SQRT_2PI;
        }
    }

    /** g[i] *= gelu'(x[i]) for i < len <= BLOCK: {@link #geluDerivative} bit for bit, g's product in its last pass. */
    private static void multiplyByGeluDerivative(float[] x, float[] g, Scratch s, int len) {
        float[] e = s.e1;
        float[] powers = s.powers;
        halfSquareExponentials(x, e, powers, len);
        powersOfTwo(len, s);
        for (int i = 0; i < len; i++) {
            g[i] *= 0.5f * (1f + erf(x[i] * SQRT_HALF)) + x[i] * (e[i] * powers[i]) * INV_SQRT_2PI;
        }
    }

    /** e[i] = e^r (Cephes' mantissa) of v = −min(x², 176)/2, powers[i] = t = v / ln 2 + ROUND: {@link #expBlock}'s first pass without its clamp. */
    private static void halfSquareExponentials(float[] x, float[] e, float[] powers, int len) {
        for (int i = 0; i < len; i++) {
            float v = -0.5f * Math.min(x[i] * x[i], 176f);
            float t = v * 1.44269504088896341f + ROUND;
            e[i] = expMantissa(v, t - ROUND);
            powers[i] = t;
        }
    }

    /** 0.5 x (1 + tanh u) = x * sigmoid(2u), u = √(2/π) (x + 0.044715 x³) */
    private static void geluTanh(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        for (int i = 0; i < len; i++) {
            e[i] = -(2f * tanhArgument(x[i]));
        }
        expBlock(e, len, s);
        for (int i = 0; i < len; i++) {
            x[i] = x[i] * (1f / (1f + e[i]));
        }
    }

    /**
     * With sg = sigmoid(2u): 1 + t = 2 sg, 1 - t² = 4 sg (1 - sg), 1 - sg = sigmoid(-2u) = 1 / (1 + 1/e^-2u).
     */
    private static void geluTanhDerivative(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        for (int i = 0; i < len; i++) {
            x[i] = Math.max(Math.min(x[i], 20f), -20f); // beyond ±20 the value is 1 or 0 in float32, and x³ must not overflow
            e[i] = -(2f * tanhArgument(x[i]));
        }
        expBlock(e, len, s); // e^-2u
        for (int i = 0; i < len; i++) {
            float sg = 1f / (1f + e[i]);
            x[i] = sg + 2f * x[i] * sg * (1f / (1f + 1f / e[i])) * SQRT_2_OVER_PI * (1f + 3f * 0.044715f * x[i] * x[i]);
        }
    }

    /** e[i] = -x[i]. */
    private static void negated(float[] x, float[] e, int len) {
        for (int i = 0; i < len; i++) {
            e[i] = -x[i];
        }
    }

    /** e[i] = {@link #exp}(e[i]) for i < n, bit for bit, a block at a time ({@link #expBlock}). */
    static void expInPlace(float[] e, int n) {
        Scratch s = SCRATCH.get();
        if (n <= BLOCK) {
            expBlock(e, n, s);
            return;
        }
        float[] block = s.e2;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            System.arraycopy(e, b, block, 0, len);
            expBlock(block, len, s);
            System.arraycopy(block, 0, e, b, len);
        }
    }

    /**
     * e[i] = {@link #exp}(e[i]) for i < len <= BLOCK, bit for bit, in passes the JIT vectorises:
     * the clamp, rounding and polynomial, keeping t = x / ln 2 + 1.5 * 2^23, whose bits are
     * 0x4B400000 + n for n = round(x / ln 2) in [-127, 128]; t's bits moved to an int array (one
     * bulk copy, {@link OffHeap#moveBits}); (n + 127) << 23, the bits of 2^n (0 for n = -127, +inf
     * for 128), in integer arithmetic; those bits moved back as floats; the product. NOTE: every
     * array is indexed from 0: with an offset into e, C2 cannot rule out that e and the scratch
     * overlap and leaves the loop scalar (9x slower).
     */
    private static void expBlock(float[] e, int len, Scratch s) {
        expBlock(e, len, s, EXP_MAX);
    }

    /** {@link #expBlock(float[], int, Scratch)} with the exponent clamped to at most {@code max} (<= {@link #EXP_MAX}). */
    private static void expBlock(float[] e, int len, Scratch s, float max) {
        float[] powers = s.powers;
        for (int i = 0; i < len; i++) {
            float x = Math.max(Math.min(e[i], max), EXP_MIN);
            float t = x * 1.44269504088896341f + ROUND;
            e[i] = expMantissa(x, t - ROUND);
            powers[i] = t;
        }
        powersOfTwo(len, s);
        for (int i = 0; i < len; i++) {
            e[i] *= powers[i];
        }
    }

    /** The scratch's powers, t = n + ROUND, become 2^n (the bits moved to ints and back: see {@link #expBlock}). */
    private static void powersOfTwo(int len, Scratch s) {
        float[] powers = s.powers;
        int[] bits = s.bits;
        OffHeap.moveBits(powers, bits, len, true);
        for (int i = 0; i < len; i++) {
            bits[i] = (bits[i] - ROUND_BITS + 127) << 23;
        }
        OffHeap.moveBits(powers, bits, len, false);
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

    /** exp's clamp (see the class comment). */
    private static final float EXP_MAX = 88.7f;
    private static final float EXP_MIN = -88f;

    private static float clampForExp(float x) {
        return Math.max(Math.min(x, EXP_MAX), EXP_MIN);
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

    /** erf(x) in float32 (see the class comment); Horner steps as fused multiply-adds (C2 vectorises Math.fma). */
    static float erf(float x) {
        x = Math.max(Math.min(x, 4f), -4f);
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
