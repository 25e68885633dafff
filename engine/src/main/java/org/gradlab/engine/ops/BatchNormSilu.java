package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.NormKernels.BatchNormGrads;
import org.gradlab.engine.backend.NormKernels.BatchNormResult;

/**
 * out = silu(y), y = {@link BatchNorm2d}(x) = x̂ · weight[c] + bias[c]: batch norm followed by
 * SiLU (y · sigmoid(y)), the pair in every conv block of EfficientNet, as ONE op. Same arguments,
 * statistics and running-buffer updates as {@link BatchNorm2d}.
 *
 * <p>Backward: dL/dy = g · silu'(y), silu'(y) = s · (1 + y · (1 − s)), s = sigmoid(y); then
 * {@link BatchNorm2d}'s backward of dL/dy: dx = w·invstd·(dL/dy − mean(dL/dy) − x̂·mean(dL/dy·x̂)),
 * dw = Σ dL/dy·x̂, db = Σ dL/dy.
 *
 * <p>Why one op: the two ops keep both x (for batch norm) and y (for SiLU) and pass y and
 * dL/dy through memory between two kernels; here x and the output are saved (the output is kept
 * alive by the next layer anyway: a conv, the squeeze-excitation pool and gate save their input),
 * y is recomputed from x and the saved per-channel statistics inside the backward's pass, and
 * the float32 CPU backward takes sigmoid(y) as out / y, with no exponential. NOTE: the float32 CPU kernel
 * applies SiLU to each block of channels while it is staged in cache (see CpuNorm), with y
 * computed from the statistics rounded to float as they are saved, so the backward sees the
 * very y the forward used.
 */
@Derivative("dy = g * s*(1 + y*(1 - s)), s = sigmoid(y), y = xhat*w + b; then batch_norm2d's backward of dy")
public final class BatchNormSilu extends BatchNormActivation {

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                               boolean training, double momentum, double eps) {
        return run(new BatchNormSilu(), x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    @Override
    BatchNormResult forward(NormKernels norm, Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                            Tensor runningVar, boolean training, double momentum, double eps) {
        return norm.batchNormSiluForward(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** The output too: the CPU's float32 backward takes sigmoid(y) as out / y instead of from an exponential. */
    @Override
    boolean keepsOutput() {
        return true;
    }

    /** The bias: y is recomputed from x, the statistics, weight and bias. */
    @Override
    Tensor activationInput(Tensor bias, Tensor out) {
        return bias;
    }

    @Override
    BatchNormGrads backward(NormKernels norm, Tensor g, Tensor x, Tensor weight, Tensor bias, Tensor saveMean,
                            Tensor saveInvstd, boolean training, boolean needX, boolean needWeight, boolean needBias) {
        return norm.batchNormSiluBackward(g, x, weight, bias, keptOutput(), saveMean, saveInvstd, training, needX,
                needWeight, needBias);
    }
}
