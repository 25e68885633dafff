package org.gradlab.nn.layers;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Functional;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.ops.BatchNormSilu;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * Batch normalisation over (N, H, W) per channel, {@code torch.nn.BatchNorm2d(C, eps, momentum)}.
 *
 * <p>Train: y = (x - mean_b) / sqrt(var_b + eps) * weight + bias (biased batch variance);
 * running_mean = (1-m) running_mean + m mean_b, running_var = (1-m) running_var + m var_b n/(n-1),
 * num_batches_tracked += 1. Eval: uses the running statistics.
 *
 * <p>{@link #thenSilu}: the same layer followed by SiLU as one op (engine {@code BatchNormSilu}),
 * which keeps only x for the backward; EfficientNet's conv blocks use it in place of
 * BatchNorm2d then SiLU (same parameters and buffers, same state-dict names). {@link #thenRelu}:
 * followed by ReLU as one op (engine {@code BatchNormRelu}, the same bits as the two layers), for
 * the challenge CNNs' blocks and ResNet's stem and blocks.
 *
 * <p>State dict (PyTorch order): weight, bias, running_mean, running_var, num_batches_tracked.
 * NOTE: the running statistics and the counter are persistent buffers updated in place.
 */
public final class BatchNorm2d extends Module {
    public final int numFeatures;
    public final double eps;
    public final double momentum;
    /** What the output is passed through inside the same op. */
    public enum Activation { NONE, SILU, RELU }

    public final Activation activation;
    private long batches;

    public BatchNorm2d(int channels, double eps, double momentum) {
        this(channels, eps, momentum, Activation.NONE);
    }

    private BatchNorm2d(int channels, double eps, double momentum, Activation activation) {
        if (channels <= 0) {
            throw new IllegalArgumentException("BatchNorm2d: channels must be positive, got " + channels);
        }
        this.numFeatures = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.activation = activation;
        registerParameter("weight", Init.constant(1, DType.F32, Device.CPU, channels));
        registerParameter("bias", Init.constant(0, DType.F32, Device.CPU, channels));
        registerBuffer("running_mean", Init.constant(0, DType.F32, Device.CPU, channels));
        registerBuffer("running_var", Init.constant(1, DType.F32, Device.CPU, channels));
        registerIntegerBuffer("num_batches_tracked", Init.constant(0, DType.F64, Device.CPU));
    }

    /** BatchNorm2d(C) with eps 1e-5, momentum 0.1. */
    public BatchNorm2d(int channels) {
        this(channels, 1e-5, 0.1);
    }

    /** BatchNorm2d(C) with eps 1e-5, momentum 0.1, followed by SiLU in one op. */
    public static BatchNorm2d thenSilu(int channels) {
        return new BatchNorm2d(channels, 1e-5, 0.1, Activation.SILU);
    }

    /** BatchNorm2d(C) with eps 1e-5, momentum 0.1, followed by ReLU in one op. */
    public static BatchNorm2d thenRelu(int channels) {
        return new BatchNorm2d(channels, 1e-5, 0.1, Activation.RELU);
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return param("bias");
    }

    public Tensor runningMean() {
        return buffer("running_mean");
    }

    public Tensor runningVar() {
        return buffer("running_var");
    }

    public long numBatchesTracked() {
        return batches;
    }

    @Override
    public Tensor forward(Tensor x) {
        boolean tr = isTraining();
        Tensor out = switch (activation) {
            case NONE -> Functional.batchNorm2d(x, weight(), bias(), runningMean(), runningVar(), tr, momentum, eps);
            case SILU -> Functional.batchNormSilu2d(x, weight(), bias(), runningMean(), runningVar(), tr, momentum, eps);
            case RELU -> Functional.batchNormRelu2d(x, weight(), bias(), runningMean(), runningVar(), tr, momentum, eps);
        };
        countBatch(tr);
        return out;
    }

    /**
     * {@link #call} of a layer built with {@link #thenSilu}, on (N, C, H, W), that also returns the
     * mean of each (n, c) plane of its output from the same kernel (engine
     * {@code BatchNormSilu.applyPooled}): EfficientNet's depthwise block hands them to
     * squeeze-excitation, which then makes no pass over the output of its own to pool it.
     */
    public BatchNormSilu.Pooled callPooled(Tensor x) {
        if (activation != Activation.SILU) {
            throw new IllegalStateException("BatchNorm2d.callPooled: expected a layer built with thenSilu, got activation "
                    + activation);
        }
        try (Autograd.ScopeHandle s = path().isEmpty() ? null : Autograd.scope(path())) {
            boolean tr = isTraining();
            BatchNormSilu.Pooled r = Functional.batchNormSilu2dPooled(x, weight(), bias(), runningMean(), runningVar(), tr,
                    momentum, eps);
            countBatch(tr);
            return r;
        }
    }

    /** After a forward: num_batches_tracked += 1 when training. */
    private void countBatch(boolean tr) {
        if (tr) {
            batches++;
            try (MemoryScope p = MemoryScope.persistent()) {
                Tensor nbt = buffer("num_batches_tracked");
                nbt.backend().elementwise().fill(nbt, batches);
            }
        }
    }

    @Override
    protected void afterLoad() {
        batches = Math.round(buffer("num_batches_tracked").item());
        super.afterLoad();
    }

    @Override
    protected String describe() {
        return "(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ")" + switch (activation) {
            case NONE -> "";
            case SILU -> " then SiLU";
            case RELU -> " then ReLU";
        };
    }
}
