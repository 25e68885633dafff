package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/**
 * Kernels that work along one axis of a tensor, row by row: layer norm over the last {@code d}
 * elements of every row and softmax along any axis (see {@code ops.LayerNorm} and
 * {@code ops.Softmax} for the math). Inputs may be any strided views; outputs are contiguous.
 */
public interface RowKernels {
    /** Output plus what the backward needs: per-row mean and 1/sqrt(var+eps), shape (R), x's dtype. */
    record LayerNormResult(Tensor out, Tensor mean, Tensor invstd) {}

    /** Gradients w.r.t. x, weight, bias; null where not requested. Weight and bias gradients have shape (D). */
    record LayerNormGrads(Tensor gradX, Tensor gradWeight, Tensor gradBias) {}

    /**
     * Layer norm of x read as R = numel/d rows of {@code d} elements: biased variance, then
     * {@code (x - mean) * invstd * weight + bias}; {@code weight}/{@code bias} hold d elements or are null (1, 0).
     */
    LayerNormResult layerNormForward(Tensor x, int d, Tensor weight, Tensor bias, double eps);

    /** Backward of {@link #layerNormForward} from the saved mean/invstd; {@code weight} may be null. */
    LayerNormGrads layerNormBackward(Tensor gradOut, Tensor x, int d, Tensor weight, Tensor mean, Tensor invstd,
                                     boolean needX, boolean needWeight, boolean needBias);

    /**
     * {@link #layerNormBackward} for a caller that owns {@code gradOut} (nothing reads it
     * afterwards, {@code Op.ownsGradOut}): a backend may write grad_x into gradOut's storage and
     * return gradOut as it. This default allocates (the CPU's float32 path writes over gradOut).
     */
    default LayerNormGrads layerNormBackwardIntoGradOut(Tensor gradOut, Tensor x, int d, Tensor weight, Tensor mean,
                                                        Tensor invstd, boolean needX, boolean needWeight, boolean needBias) {
        return layerNormBackward(gradOut, x, d, weight, mean, invstd, needX, needWeight, needBias);
    }

    /** y = exp(x - max) / Σ exp(x - max) along {@code axis} (non-negative). */
    Tensor softmax(Tensor x, int axis);

    /** gx = y · (g − Σ_axis g·y), y = the softmax output. */
    Tensor softmaxBackward(Tensor gradOut, Tensor y, int axis);
}
