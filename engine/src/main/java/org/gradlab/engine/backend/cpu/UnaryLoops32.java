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
 * <p>Built on {@link FloatMath32}'s float exp and erf, each within a few float32 ulps of the
 * double function (tested in {@code UnaryLoops32Test} against the reference on a dense grid).
 * NOTE: NaN propagates through every loop ({@code Math.min}/{@code Math.max} keep NaN).
 */
final class UnaryLoops32 {
    private static final Set<UnaryFn> COVERED = EnumSet.of(UnaryFn.SIGMOID, UnaryFn.SILU, UnaryFn.SILU_DERIVATIVE,
            UnaryFn.GELU, UnaryFn.GELU_DERIVATIVE, UnaryFn.GELU_TANH, UnaryFn.GELU_TANH_DERIVATIVE);

    private static final float SQRT_HALF = 0.70710678118654752440f;
    private static final float INV_SQRT_2PI = 0.39894228040143267794f;
    private static final float SQRT_2_OVER_PI = 0.79788456080286535588f;

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
     * per-element functions below ({@link FloatMath32#exp}, {@link #sigmoid}, {@link FloatMath32#erf}) to each element,
     * except that SiLU's derivative takes sigmoid(-x) as e^-x * sigmoid(x) (see there) and tanh-GELU's as
     * 1 / (1 + 1/e^-x), from the one exp they compute. NOTE: C2 (JDK 17) does not vectorise a loop that converts between
     * float and int bits, which {@link FloatMath32#exp}'s 2^n does; the array exp ({@link #expBlock}) moves
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

    /**
     * g[i] *= silu'(y[i]) for i in [0, n), given out[i] = silu(y[i]) = y[i] * s as the forward
     * computed it from the same y: s = sigmoid(y) taken back as (|out| + e/2) / (|y| + e), e = 2^-100
     * (out has y's sign), then silu'(y) = s + y s (1 - s) = s + out (1 - s). One division and no
     * exponential. NOTE: e makes y = 0 give s = 1/2 (not 0/0) without a branch (C2 leaves a float
     * select scalar) and keeps the divisor above 0; elsewhere it vanishes in the roundings
     * (|y| > 2^-76, or y so small that s is 1/2 within float precision anyway); where s underflowed
     * to 0 (y below about -88) s comes out below 1e-31. out / y is within 2 ulps of the forward's s; 1 - s from a float s near 1 is
     * off by up to 2^-24, times out (about y): at most about 1e-6 of silu'(y) = 1 + y e^-y near
     * y = 16 (UnaryLoops32Test allows 8 ulps plus |y| * 2^-23).
     */
    static void multiplyBySiluDerivative(float[] g, float[] y, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float o = out[i];
            float s = (Math.abs(o) + 0x1p-101f) / (Math.abs(y[i]) + 0x1p-100f);
            g[i] *= s + o * (1f - s);
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

    /**
     * x * sigmoid(x) = x * (1 / (1 + e^-x)), e^-x by {@link FloatMath32#expBlock}'s arithmetic, bit for
     * bit, with its first pass reading x and negating it as it goes and its last product (mantissa
     * times 2^n) taken inside the SiLU pass: two passes over the block where negation, exp and SiLU
     * in turn make four (batch norm + SiLU's forward runs this on every element it writes).
     */
    private static void silu(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        float[] powers = s.powers;
        for (int i = 0; i < len; i++) {
            float v = Math.max(Math.min(-x[i], FloatMath32.EXP_MAX), FloatMath32.EXP_MIN);
            float t = v * FloatMath32.LOG2E + FloatMath32.ROUND;
            e[i] = FloatMath32.expMantissa(v, t - FloatMath32.ROUND);
            powers[i] = t;
        }
        powersOfTwo(len, s);
        for (int i = 0; i < len; i++) {
            x[i] = x[i] * (1f / (1f + e[i] * powers[i]));
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

    /**
     * 0.5 x (1 + erf(x / √2)) as h + |h| erf(|x| / √2) with h = x/2 (erf is odd, so x·erf(x/√2) = |x|·erf(|x|/√2)):
     * erf only, one pass (any len; s unused). NOTE: erf of a non-negative argument needs one clamp, not two; h, not x,
     * so that x near ±Float.MAX_VALUE does not overflow. Where erf ≈ 1 (x far below zero) the sum cancels to an
     * absolute error of about ulp(h)/2, inside the erf tolerance the tests allow (UnaryLoops32Test).
     */
    private static void gelu(float[] x, Scratch s, int len) {
        for (int i = 0; i < len; i++) {
            float h = 0.5f * x[i];
            x[i] = h + Math.abs(h) * FloatMath32.erfOfNonNegative(Math.abs(x[i]) * SQRT_HALF);
        }
    }

    /**
     * Φ(x) + x * φ(x) ({@link #geluDerivativeAt}). NOTE: φ's e^(−x²/2) is {@link #expBlock}'s arithmetic, bit for
     * bit, in one pass with −x²/2 and without its clamp: −x²/2 is never above 0, and min(x², 176) stops it at −88 where
     * the clamp would (the clamp's Math.min/max cost a third of that pass).
     */
    private static void geluDerivative(float[] x, Scratch s, int len) {
        float[] e = s.e1;
        float[] powers = s.powers;
        halfSquareExponentials(x, e, powers, len);
        powersOfTwo(len, s);
        for (int i = 0; i < len; i++) {
            x[i] = geluDerivativeAt(x[i], e[i] * powers[i]);
        }
    }

    /** g[i] *= gelu'(x[i]) for i < len <= BLOCK: {@link #geluDerivative} bit for bit, g's product in its last pass. */
    private static void multiplyByGeluDerivative(float[] x, float[] g, Scratch s, int len) {
        float[] e = s.e1;
        float[] powers = s.powers;
        halfSquareExponentials(x, e, powers, len);
        powersOfTwo(len, s);
        for (int i = 0; i < len; i++) {
            g[i] *= geluDerivativeAt(x[i], e[i] * powers[i]);
        }
    }

    /**
     * Φ(x) + x·φ(x) given gauss = e^(−x²/2), which φ needs anyway and which is e^(−a²) at a = |x|/√2: so Φ's erf
     * comes from the same exponential, Φ(x) = 0.5 + sign(x)·(0.5 − 0.5·erfc(a)) with erfc(a) =
     * {@link FloatMath32#erfcOverGaussian}(a)·gauss, instead of {@link FloatMath32#erf}'s rational (bench/README.md,
     * "ViT-Tiny: GELU and LayerNorm passes"). NOTE: sign(x) as min(max(x·2^100, −1), 1), which C2 vectorises
     * (Math.signum and Math.copySign it does not in JDK 17); for |x| < 2^-100 it is a fraction, where erf(a) is 0
     * in float anyway. Φ within 2.7e-7 absolutely (erf's rational gave 1.7e-7); NaN propagates.
     */
    private static float geluDerivativeAt(float x, float gauss) {
        float halfErfc = 0.5f * FloatMath32.erfcOverGaussian(Math.abs(x) * SQRT_HALF) * gauss;
        float sign = Math.max(Math.min(x * 0x1p100f, 1f), -1f);
        return Math.fma(sign, 0.5f - halfErfc, 0.5f) + x * gauss * INV_SQRT_2PI;
    }

    /** e[i] = e^r (Cephes' mantissa) of v = −min(x², 176)/2, powers[i] = t = v / ln 2 + ROUND: {@link #expBlock}'s first pass without its clamp. */
    private static void halfSquareExponentials(float[] x, float[] e, float[] powers, int len) {
        for (int i = 0; i < len; i++) {
            float v = -0.5f * Math.min(x[i] * x[i], 176f);
            float t = v * 1.44269504088896341f + FloatMath32.ROUND;
            e[i] = FloatMath32.expMantissa(v, t - FloatMath32.ROUND);
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

    /** e[i] = {@link FloatMath32#exp}(e[i]) for i < n, bit for bit, a block at a time ({@link #expBlock}). */
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

    /** e[i] = {@link FloatMath32#exp}(e[i]) for i < len <= BLOCK, bit for bit ({@link FloatMath32#expBlock}). */
    private static void expBlock(float[] e, int len, Scratch s) {
        FloatMath32.expBlock(e, s.powers, s.bits, len, FloatMath32.EXP_MAX);
    }

    /** {@link #expBlock(float[], int, Scratch)} with the exponent clamped to at most {@code max} (<= 88.7). */
    private static void expBlock(float[] e, int len, Scratch s, float max) {
        FloatMath32.expBlock(e, s.powers, s.bits, len, max);
    }

    /** The scratch's powers, t = n + ROUND, become 2^n ({@link FloatMath32#powersOfTwo}). */
    private static void powersOfTwo(int len, Scratch s) {
        FloatMath32.powersOfTwo(s.powers, s.bits, len);
    }

    private static float tanhArgument(float x) {
        return SQRT_2_OVER_PI * (x + 0.044715f * x * x * x);
    }

    /** 1 / (1 + e^-x); for x below about -88.4 e^-x is +∞ and the result 0 (the true value is below 2^-127). */
    static float sigmoid(float x) {
        return 1f / (1f + FloatMath32.exp(-x));
    }
}
