package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/** GEMM-backed kernels. */
public interface MatmulKernels {
    /**
     * {@code a @ b}: 2-D × 2-D, or batched with equal leading dimensions, or batched × 2-D /
     * 2-D × batched (the 2-D side is shared). Transposed views are passed to GEMM without copies.
     */
    Tensor matmul(Tensor a, Tensor b);

    /**
     * {@code out = alpha · (a @ b)} written into {@code out}, a view of the product's shape whose
     * rows and batches may have any strides (e.g. one head's columns of a packed (N, T, 3E)
     * gradient); {@code a} and {@code b} as for {@link #matmul}. This default computes the product
     * and copies it in; a backend may write it in place.
     */
    default void matmulInto(Tensor out, Tensor a, Tensor b, double alpha) {
        Tensor product = matmul(a, b);
        if (alpha != 1) {
            product.backend().elementwise().scale(product, alpha);
        }
        out.backend().elementwise().copyInto(out, product);
    }

    /** {@code x @ weight^T + bias} with x (N, in), weight (out, in), bias (out) or null. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /**
     * A linear layer's weight gradient {@code g^T @ x} (out, in), contiguous, for its upstream g
     * (N, out) and input x (N, in). A backend may pick the product's orientation.
     */
    default Tensor linearWeightGrad(Tensor g, Tensor x) {
        return matmul(g.transpose(0, 1), x);
    }
}
