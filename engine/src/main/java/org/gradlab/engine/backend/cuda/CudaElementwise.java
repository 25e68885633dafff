package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.UnaryFn;
import org.gradlab.natives.cuda.TensorKernels;

/**
 * Elementwise kernels on the GPU ({@code tensor.cu}): strided inputs are read in place through
 * their strides (broadcast dims get stride 0), outputs are fresh and contiguous.
 * NOTE: the kernels take the {@link UnaryFn}/{@link BinaryFn} ordinals; the matching cases of
 * tensor.cu are generated from the enums ({@link FunctionCases}).
 */
final class CudaElementwise implements ElementwiseKernels {

    private static TensorKernels k(Tensor t) {
        return ctx(t).kernels().tensor();
    }

    @Override
    public Tensor unary(UnaryFn fn, Tensor x, double p, double q) {
        Tensor out = uninitialized(x, x.shape());
        k(x).unary(type(x), fn.ordinal(), p, q, ptr(x), longs(x.shape()), longs(x.strides()), ptr(out));
        return out;
    }

    @Override
    public Tensor binary(BinaryFn fn, Tensor a, Tensor b) {
        requireSameDevice(fn.name().toLowerCase(), a, b);
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(fn.name().toLowerCase() + ": dtypes differ: " + a.dtype() + " and " + b.dtype());
        }
        int[] shape = Shape.broadcast(fn.name().toLowerCase(), a.shape(), b.shape());
        Tensor out = uninitialized(a, shape);
        int[] stA = Shape.broadcastStrides(a.shape(), a.strides(), shape);
        int[] stB = Shape.broadcastStrides(b.shape(), b.strides(), shape);
        k(a).binary(type(a), fn.ordinal(), ptr(a), longs(stA), ptr(b), longs(stB), longs(shape), ptr(out));
        return out;
    }

    @Override
    public Tensor contiguous(Tensor x) {
        Tensor out = uninitialized(x, x.shape());
        copyInto(out, x);
        return out;
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        requireSameDevice("copy", dst, src);
        int[] shape = dst.shape();
        Shape.broadcast("copy", src.shape(), shape);
        if (src.dim() > shape.length) {
            throw new IllegalArgumentException("copy: source " + Shape.str(src.shape()) + " has more dimensions than destination "
                    + Shape.str(shape));
        }
        int[] stS = Shape.broadcastStrides(src.shape(), src.strides(), shape);
        k(dst).copy(type(src), ptr(src), longs(stS), type(dst), ptr(dst), longs(dst.strides()), longs(shape));
    }

    @Override
    public void fill(Tensor dst, double value) {
        k(dst).fill(type(dst), ptr(dst), longs(dst.shape()), longs(dst.strides()), value);
    }

    @Override
    public void axpy(Tensor dst, Tensor src, double alpha) {
        requireContiguous("axpy", dst);
        requireSameDevice("axpy", dst, src);
        if (!Arrays.equals(dst.shape(), src.shape())) {
            throw new IllegalArgumentException("axpy: shapes differ: " + Shape.str(dst.shape()) + " vs " + Shape.str(src.shape()));
        }
        Tensor s = src.dtype() == dst.dtype() ? dense(src) : cast(src, dst.dtype());
        k(dst).axpy(type(dst), ptr(dst), ptr(s), dst.numel(), alpha);
    }

    @Override
    public void scale(Tensor dst, double alpha) {
        requireContiguous("scale", dst);
        k(dst).scale(type(dst), ptr(dst), dst.numel(), alpha);
    }

    @Override
    public Tensor cast(Tensor x, DType to) {
        Tensor out = uninitialized(x, to, x.shape());
        copyInto(out, x);
        return out;
    }

    static void requireContiguous(String op, Tensor t) {
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(op + ": destination must be contiguous, got strides "
                    + Shape.str(t.strides()) + " for shape " + Shape.str(t.shape()));
        }
    }
}
