package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/**
 * Batch-norm kernels over (N, C, *) inputs, per channel C (see {@code ops.BatchNorm2d} for the
 * math). Shaped like cuDNN's {@code cudnnBatchNormalizationForwardTraining/Inference} and
 * {@code ...Backward}: the forward returns the saved mean and inverse std that the backward takes.
 */
public interface NormKernels {
    /** Output plus what the backward needs: per-channel mean and 1/sqrt(var+eps), shape (C), x's dtype. */
    record BatchNormResult(Tensor out, Tensor saveMean, Tensor saveInvstd) {}

    /** Gradients w.r.t. x, weight, bias; null where not requested. */
    record BatchNormGrads(Tensor gradX, Tensor gradWeight, Tensor gradBias) {}

    /**
     * Training: normalises with the batch statistics (biased variance) and, when the running
     * buffers are non-null, updates them IN PLACE (running_var with the unbiased variance).
     * Eval: normalises with the running statistics (required) and leaves them unchanged; the
     * returned mean/invstd are then a snapshot of the running ones.
     * {@code weight}/{@code bias} may be null (scale 1, shift 0).
     */
    BatchNormResult batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                     boolean training, double momentum, double eps);

    /** Backward of {@link #batchNormForward} from the saved mean/invstd; {@code weight} may be null. */
    BatchNormGrads batchNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvstd,
                                     boolean training, boolean needX, boolean needWeight, boolean needBias);
}
