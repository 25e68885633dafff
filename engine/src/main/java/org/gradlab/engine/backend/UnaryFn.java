package org.gradlab.engine.backend;

/**
 * Elementwise functions of one tensor, with up to two scalar parameters {@code p}, {@code q}.
 * Each backend implements every constant; adding one means adding a constant here and its
 * line in each backend's kernel.
 */
public enum UnaryFn {
    NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH,
    /** x^p */
    POW,
    /** min(max(x, p), q) */
    CLAMP,
    /** p * x + q */
    AFFINE,
    /** 1 where p <= x <= q, else 0 (clamp's gradient mask) */
    INSIDE_MASK,
    /** sign(x): -1, 0 or 1 */
    SIGN
}
