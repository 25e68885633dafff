package org.gradlab.engine.backend;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;

/** Elementwise kernels: results are fresh contiguous tensors unless the name says "into". */
public interface ElementwiseKernels {
    Tensor unary(UnaryFn fn, Tensor x, double p, double q);

    /** Broadcasting binary op; inputs may be any strided views. */
    Tensor binary(BinaryFn fn, Tensor a, Tensor b);

    /**
     * {@link #binary}(fn, a, b) for a caller that owns {@code a} (nothing reads it afterwards, e.g.
     * a backward's upstream gradient, {@code Op.ownsGradOut}): a backend may write the result into
     * a's storage and return {@code a}. Returns the result either way; this default always
     * allocates (the CPU's float32 paths for equal-shape contiguous operands write into a).
     */
    default Tensor binaryIntoFirst(BinaryFn fn, Tensor a, Tensor b) {
        return binary(fn, a, b);
    }

    /** A contiguous copy of any strided view. */
    Tensor contiguous(Tensor x);

    /** Copies {@code src} (broadcast to dst's shape) into the strided view {@code dst}. */
    void copyInto(Tensor dst, Tensor src);

    void fill(Tensor dst, double value);

    /** {@code dst += alpha * src}; same shape; dst contiguous. */
    void axpy(Tensor dst, Tensor src, double alpha);

    /** {@code dst *= alpha}; dst contiguous. */
    void scale(Tensor dst, double alpha);

    Tensor cast(Tensor x, DType to);
}
