package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.NormKernels.BatchNormGrads;
import org.gradlab.engine.backend.NormKernels.BatchNormResult;

/**
 * out = relu(y), y = {@link BatchNorm2d}(x) = x̂ · weight[c] + bias[c]: batch norm followed by
 * ReLU, the pair of the challenge CNNs' blocks and ResNet's stem and blocks, as ONE op. Same
 * arguments, statistics and running-buffer updates as {@link BatchNorm2d}; the same output bits
 * as BatchNorm2d then {@link Relu}.
 *
 * <p>Backward: dL/dy = g if out > 0 else 0; then {@link BatchNorm2d}'s backward of dL/dy:
 * dx = w·invstd·(dL/dy − mean(dL/dy) − x̂·mean(dL/dy·x̂)), dw = Σ dL/dy·x̂, db = Σ dL/dy.
 *
 * <p>Why one op: the pair passes y and dL/dy through memory between two kernels; here the float32
 * CPU kernel applies ReLU to each block of channels while it is staged in cache (see CpuNorm) and
 * masks the staged gradient before the batch-norm sums. NOTE: the mask is taken from the saved
 * output, not from y recomputed from x: out > 0 exactly where y > 0 (the gradient at y = 0 is 0,
 * as {@link Relu}'s), and the output is the very y the forward computed, whereas y recomputed
 * from the statistics saved as floats could differ in its last bit, and so in sign near 0. The
 * output is kept alive by the next layer anyway (a conv saves its input), and the pair saved two
 * tensors too (x and y).
 */
@Derivative("dy = g if out > 0 else 0, out = relu(xhat*w + b); then batch_norm2d's backward of dy")
public final class BatchNormRelu extends BatchNormActivation {

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                               boolean training, double momentum, double eps) {
        return run(new BatchNormRelu(), x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    @Override
    BatchNormResult forward(NormKernels norm, Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                            Tensor runningVar, boolean training, double momentum, double eps) {
        return norm.batchNormReluForward(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** The output: its mask is ReLU's derivative. */
    @Override
    Tensor activationInput(Tensor bias, Tensor out) {
        return out;
    }

    @Override
    BatchNormGrads backward(NormKernels norm, Tensor g, Tensor x, Tensor weight, Tensor out, Tensor saveMean,
                            Tensor saveInvstd, boolean training, boolean needX, boolean needWeight, boolean needBias) {
        return norm.batchNormReluBackward(g, out, x, weight, saveMean, saveInvstd, training, needX, needWeight, needBias);
    }
}
