package org.gradlab.engine.backend;

import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;

/**
 * Softmax-family and classification-loss kernels over (N, C) rows (see {@code ops.LogSoftmax},
 * {@code ops.NllLoss}, {@code ops.CrossEntropy} for the math).
 *
 * <p>Targets are a tensor of shape (N) on the same device holding class indices as exact
 * integers (float dtype); kernels validate them in [0, C) (a GPU kernel reports the first bad
 * index through an error flag). Class weights are (C) or null (all 1).
 */
public interface LossKernels {
    /**
     * A loss and, when requested, its gradient w.r.t. the input for a UNIT upstream gradient
     * (per sample for {@link Reduction#NONE}): backward only multiplies by the real upstream.
     * {@code loss} has shape () for MEAN/SUM and (N) for NONE.
     */
    record LossResult(Tensor loss, Tensor gradInput) {}

    /** y[i,:] = x[i,:] - max - log(sum(exp(x[i,:] - max))) over the last dim of (N, C). */
    Tensor logSoftmax(Tensor x);

    /** gx = g - exp(y) * sum_c g (rows of (N, C)), y = the log-softmax output. */
    Tensor logSoftmaxBackward(Tensor gradOut, Tensor y);

    /** Negative log-likelihood of log-probabilities {@code logp} (N, C). */
    LossResult nllLoss(Tensor logp, Tensor target, Tensor weight, Reduction reduction, boolean computeGrad);

    /** Fused log-softmax + label-smoothed weighted NLL of {@code logits} (N, C). */
    LossResult crossEntropy(Tensor logits, Tensor target, Tensor weight, double labelSmoothing, Reduction reduction,
                            boolean computeGrad);
}
