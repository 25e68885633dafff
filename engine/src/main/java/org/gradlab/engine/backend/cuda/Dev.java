package org.gradlab.engine.backend.cuda;

import org.gradlab.engine.DType;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.natives.cuda.CudaContext;

/** Small helpers shared by the CUDA kernel families: addresses, dtypes, outputs. */
final class Dev {
    private Dev() {}

    static CudaStorage storage(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("CUDA kernel got a tensor on " + t.device() + " (shape " + Shape.str(t.shape())
                    + "); move it with to(device) first");
        }
        return s;
    }

    /** Device address of the tensor's first element: storage base + offset × element size. */
    static long ptr(Tensor t) {
        return storage(t).address(t.offset());
    }

    /** {@link #ptr} or 0 for null. */
    static long ptrOrNull(Tensor t) {
        return t == null ? 0 : ptr(t);
    }

    static CudaContext ctx(Tensor t) {
        return storage(t).context();
    }

    static org.gradlab.natives.cuda.DType type(DType d) {
        return d == DType.F32 ? org.gradlab.natives.cuda.DType.FLOAT32 : org.gradlab.natives.cuda.DType.FLOAT64;
    }

    static org.gradlab.natives.cuda.DType type(Tensor t) {
        return type(t.dtype());
    }

    static long[] longs(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            l[i] = a[i];
        }
        return l;
    }

    /** A fresh contiguous tensor on {@code like}'s device, contents undefined (kernels overwrite it all). */
    static Tensor uninitialized(Tensor like, DType dtype, int... shape) {
        CudaStorage s = new CudaStorage(ctx(like), dtype, Shape.numel(shape), false);
        return new Tensor(s, shape, Shape.contiguousStrides(shape), 0);
    }

    static Tensor uninitialized(Tensor like, int... shape) {
        return uninitialized(like, like.dtype(), shape);
    }

    /** A fresh zero-filled contiguous tensor. */
    static Tensor zeros(Tensor like, DType dtype, int... shape) {
        CudaStorage s = new CudaStorage(ctx(like), dtype, Shape.numel(shape), true);
        return new Tensor(s, shape, Shape.contiguousStrides(shape), 0);
    }

    /** {@code t} if contiguous, else a contiguous copy (not recorded by autograd). */
    static Tensor dense(Tensor t) {
        return t.isContiguous() ? t : t.backend().elementwise().contiguous(t);
    }

    static void requireSameDevice(String op, Tensor a, Tensor b) {
        if (b != null && !a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": tensors on different devices: " + a.device() + " and " + b.device());
        }
    }
}
