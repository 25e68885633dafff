package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.NormKernels.BatchNormGrads;
import org.gradlab.engine.backend.NormKernels.BatchNormResult;
import org.gradlab.engine.backend.NormKernels.PooledResult;

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
    /** Whether the forward also takes its output's plane means ({@link #applyPooled}). */
    private final boolean pooled;
    private Tensor planeMeans;

    private BatchNormSilu(boolean pooled) {
        this.pooled = pooled;
    }

    /** The output and the mean of each of its (n, c) planes, (N, C, 1, 1), a plain tensor outside the graph. */
    public record Pooled(Tensor out, Tensor planeMeans) {}

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                               boolean training, double momentum, double eps) {
        return run(new BatchNormSilu(false), x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /**
     * {@link #apply} on (N, C, H, W), and the global average pool of its output from the same
     * kernel (the CPU's float32 path sums each plane while the output is staged): what
     * squeeze-excitation reads next, without a pass over the output of its own. NOTE: the means
     * carry no gradient; {@link SqueezeExcitation} routes the pool's gradient into its own dx.
     */
    public static Pooled applyPooled(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                     boolean training, double momentum, double eps) {
        Checks.rank("batch_norm_silu (pooled)", "input", x, 4);
        BatchNormSilu op = new BatchNormSilu(true);
        Tensor out = run(op, x, weight, bias, runningMean, runningVar, training, momentum, eps);
        Tensor means = op.planeMeans;
        op.planeMeans = null; // the op may stay in the graph: it must not keep them
        return new Pooled(out, means);
    }

    @Override
    BatchNormResult forward(NormKernels norm, Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                            Tensor runningVar, boolean training, double momentum, double eps) {
        if (!pooled) {
            return norm.batchNormSiluForward(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        }
        PooledResult r = norm.batchNormSiluPooledForward(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        planeMeans = r.planeMeans();
        return r.result();
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
