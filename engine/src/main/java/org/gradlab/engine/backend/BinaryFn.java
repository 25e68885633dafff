package org.gradlab.engine.backend;

/** Elementwise functions of two broadcast tensors. */
public enum BinaryFn {
    ADD, SUB, MUL, DIV,
    /** a where b > 0, else 0: ReLU's backward with a = upstream gradient, b = ReLU input. */
    RELU_BACKWARD,
    /** 1 where a == b, else 0 */
    EQ
}
