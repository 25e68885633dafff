package org.gradlab.engine.backend;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Storage;

/**
 * The seam between ops and devices. An op never touches memory itself: it asks the backend of
 * its inputs' device for a kernel family and calls it. The CPU implementation lives in
 * {@code backend.cpu}; a CUDA one implements the same families, so op classes never change.
 */
public interface Backend {
    Device device();

    /** A zero-filled storage of {@code size} elements. */
    Storage allocate(DType dtype, long size);

    /**
     * A storage of {@code size} elements whose contents are undefined, for kernels that write
     * every element (see {@link org.gradlab.engine.Tensor#uninitialized}). Defaults to a zeroed one.
     */
    default Storage allocateUninitialized(DType dtype, long size) {
        return allocate(dtype, size);
    }

    /** Copies host numbers into a new storage (converted to {@code dtype}). */
    Storage upload(DType dtype, double[] data);

    Storage upload(float[] data);

    /** Copies {@code count} elements starting at {@code offset} back to the host. */
    double[] downloadDoubles(Storage s, long offset, int count);

    float[] downloadFloats(Storage s, long offset, int count);

    ElementwiseKernels elementwise();

    ReduceKernels reduce();

    MatmulKernels matmul();

    ConvKernels conv();

    PoolKernels pool();

    NormKernels norm();

    LossKernels loss();

    OptimKernels optim();

    RowKernels rows();
}
