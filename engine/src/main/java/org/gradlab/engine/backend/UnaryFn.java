package org.gradlab.engine.backend;

/**
 * Elementwise functions of one tensor, with up to two scalar parameters {@code p}, {@code q}.
 * Each constant IS its definition: a float64 reference in Java (the CPU backend evaluates it;
 * float32 fast paths are checked against it) and the same formula in CUDA C, from which the CUDA
 * backend generates its kernel's {@code switch} when NVRTC compiles it (no hand-kept numbering).
 * Adding a function = adding a constant here; every backend picks it up.
 *
 * <p>NOTE: both forms must compute the same thing; the CUDA C form sees {@code x}, {@code p},
 * {@code q} as doubles and the CUDA math library ({@code exp}, {@code erf}, {@code tanh}, ...).
 */
public enum UnaryFn {
    NEG("-x", (x, p, q) -> -x),
    EXP("exp(x)", (x, p, q) -> Math.exp(x)),
    LOG("log(x)", (x, p, q) -> Math.log(x)),
    SQRT("sqrt(x)", (x, p, q) -> Math.sqrt(x)),
    ABS("fabs(x)", (x, p, q) -> Math.abs(x)),
    /** max(x, 0); NOTE: NaN propagates, as in PyTorch. */
    RELU("x > 0.0 ? x : (x != x ? x : 0.0)", (x, p, q) -> x > 0 ? x : Double.isNaN(x) ? x : 0.0),
    /** 1 / (1 + e^-x) without overflow for large |x| */
    SIGMOID("x >= 0.0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x))",
            (x, p, q) -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
    TANH("tanh(x)", (x, p, q) -> Math.tanh(x)),
    /** x^p */
    POW("pow(x, p)", (x, p, q) -> Math.pow(x, p)),
    /** min(max(x, p), q); NaN propagates */
    CLAMP("x != x ? x : fmin(fmax(x, p), q)", (x, p, q) -> Double.isNaN(x) ? x : Math.min(Math.max(x, p), q)),
    /** p * x + q; NOTE: no fused multiply-add on the GPU, so both round the product first */
    AFFINE("__dadd_rn(__dmul_rn(p, x), q)", (x, p, q) -> p * x + q),
    /** 1 where p <= x <= q, else 0 (clamp's gradient mask) */
    INSIDE_MASK("(x >= p && x <= q) ? 1.0 : 0.0", (x, p, q) -> x >= p && x <= q ? 1.0 : 0.0),
    /** sign(x): -1, 0 or 1; keeps ±0 and NaN (Math.signum) */
    SIGN("x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : x)", (x, p, q) -> Math.signum(x)),
    /** x / (1 + e^-x) = x * sigmoid(x) (SiLU) */
    SILU("x / (1.0 + exp(-x))", (x, p, q) -> x / (1 + Math.exp(-x))),
    /** d silu(x)/dx = s * (1 + x * (1 - s)), s = sigmoid(x) */
    SILU_DERIVATIVE("(1.0 / (1.0 + exp(-x))) * (1.0 + x * (1.0 - 1.0 / (1.0 + exp(-x))))",
            (x, p, q) -> (1 / (1 + Math.exp(-x))) * (1 + x * (1 - 1 / (1 + Math.exp(-x))))),
    /** x * Φ(x) = 0.5 * x * (1 + erf(x / √2)) (exact GELU) */
    GELU("0.5 * x * (1.0 + erf(x * 0.70710678118654752440))",
            (x, p, q) -> 0.5 * x * (1 + Erf.erf(x * 0.70710678118654752440))),
    /** d gelu(x)/dx = Φ(x) + x * φ(x) = 0.5 * (1 + erf(x / √2)) + x * e^(-x²/2) / √(2π) */
    GELU_DERIVATIVE("0.5 * (1.0 + erf(x * 0.70710678118654752440)) + x * exp(-0.5 * x * x) * 0.39894228040143267794",
            (x, p, q) -> 0.5 * (1 + Erf.erf(x * 0.70710678118654752440)) + x * Math.exp(-0.5 * x * x) * 0.39894228040143267794),
    /** 0.5 * x * (1 + tanh(√(2/π) * (x + 0.044715 x³))) (GELU, PyTorch's approximate='tanh') */
    GELU_TANH("0.5 * x * (1.0 + tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)))",
            (x, p, q) -> 0.5 * x * (1 + Math.tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)))),
    /** with t = tanh(√(2/π) * (x + 0.044715 x³)): 0.5 * (1 + t) + 0.5 * x * (1 - t²) * √(2/π) * (1 + 3 * 0.044715 x²) */
    GELU_TANH_DERIVATIVE("0.5 * (1.0 + tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x))) + 0.5 * x"
            + " * (1.0 - tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)) * tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)))"
            + " * 0.79788456080286535588 * (1.0 + 3.0 * 0.044715 * x * x)",
            (x, p, q) -> {
                double t = Math.tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x));
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * 0.79788456080286535588 * (1 + 3 * 0.044715 * x * x);
            });

    /** The float64 reference of one function: x and the parameters p, q. */
    @FunctionalInterface
    public interface Reference {
        double apply(double x, double p, double q);
    }

    private final String cuda;
    private final Reference reference;

    UnaryFn(String cuda, Reference reference) {
        this.cuda = cuda;
        this.reference = reference;
    }

    /** The float64 value at x (the reference every backend is checked against). */
    public double apply(double x, double p, double q) {
        return reference.apply(x, p, q);
    }

    /** The same function as a CUDA C expression of the doubles x, p, q. */
    public String cuda() {
        return cuda;
    }
}
