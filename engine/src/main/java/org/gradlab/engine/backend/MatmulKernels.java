package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/** GEMM-backed kernels. */
public interface MatmulKernels {
    /**
     * {@code a @ b}: 2-D × 2-D, or batched with equal leading dimensions, or batched × 2-D /
     * 2-D × batched (the 2-D side is shared). Transposed views are passed to GEMM without copies.
     */
    Tensor matmul(Tensor a, Tensor b);

    /** {@code x @ weight^T + bias} with x (N, in), weight (out, in), bias (out) or null. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);
}
