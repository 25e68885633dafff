package org.gradlab.engine.backend;

import java.util.function.DoubleBinaryOperator;

/**
 * Elementwise functions of two broadcast tensors. As in {@link UnaryFn}, each constant carries
 * its float64 reference (which the CPU backend evaluates) and the same formula in CUDA C, from
 * which the CUDA kernel's {@code switch} is generated; there {@code a}, {@code b} have the
 * tensor's element type {@code T} (float or double).
 */
public enum BinaryFn {
    ADD("a + b", Double::sum),
    SUB("a - b", (a, b) -> a - b),
    MUL("a * b", (a, b) -> a * b),
    DIV("a / b", (a, b) -> a / b),
    /** a where b > 0, else 0: ReLU's backward with a = upstream gradient, b = ReLU input. */
    RELU_BACKWARD("b > T(0) ? a : T(0)", (g, x) -> x > 0 ? g : 0.0),
    /** 1 where a == b, else 0 */
    EQ("a == b ? T(1) : T(0)", (a, b) -> a == b ? 1.0 : 0.0),
    /** a * silu'(b): SiLU's backward with a = upstream gradient, b = SiLU input. */
    SILU_BACKWARD(UnaryFn.SILU_DERIVATIVE),
    /** a * gelu'(b): exact GELU's backward with a = upstream gradient, b = GELU input. */
    GELU_BACKWARD(UnaryFn.GELU_DERIVATIVE),
    /** a * gelu_tanh'(b): tanh-GELU's backward with a = upstream gradient, b = GELU input. */
    GELU_TANH_BACKWARD(UnaryFn.GELU_TANH_DERIVATIVE);

    private final String cuda;
    private final DoubleBinaryOperator reference;
    private final UnaryFn derivative;

    BinaryFn(String cuda, DoubleBinaryOperator reference) {
        this.cuda = cuda;
        this.reference = reference;
        this.derivative = null;
    }

    /**
     * a * derivative(b), an activation's backward in one kernel: the float64 reference is the
     * product with the derivative's reference, the CUDA form the derivative's formula evaluated in
     * double at b, rounded to T, times a.
     */
    BinaryFn(UnaryFn derivative) {
        this.cuda = "a * T(" + derivative.cuda().replaceAll("\\bx\\b", "((double)b)") + ")";
        this.reference = (g, x) -> g * derivative.apply(x, 0, 0);
        this.derivative = derivative;
    }

    /** For a * derivative(b) (the *_BACKWARD constants after ReLU's): the derivative; else null. */
    public UnaryFn derivative() {
        return derivative;
    }

    /** The float64 value of a fn b. */
    public double apply(double a, double b) {
        return reference.applyAsDouble(a, b);
    }

    /** The same function as a CUDA C expression of {@code a}, {@code b} of element type {@code T}. */
    public String cuda() {
        return cuda;
    }
}
