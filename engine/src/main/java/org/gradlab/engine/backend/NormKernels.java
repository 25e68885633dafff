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
     * These kernels for a caller that owns each backward's {@code gradOut} (nothing reads it
     * afterwards, e.g. a backward's upstream gradient, {@code Op.ownsGradOut}): their backwards may
     * write grad_x into gradOut's storage and return gradOut as it. This default: the same kernels,
     * which always allocate (the CPU's float32 backwards write into gradOut where it fits).
     */
    default NormKernels intoGradOut() {
        return this;
    }

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

    /**
     * silu(batch norm of x), the pair EfficientNet's conv blocks run, as one call: the same
     * arguments and statistics as {@link #batchNormForward}, the output passed through
     * silu(y) = y * sigmoid(y). This default runs the two kernels one after the other; a backend
     * may fuse them (the CPU's float32 path applies SiLU to each staged block before storing it).
     */
    default BatchNormResult batchNormSiluForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                 Tensor runningVar, boolean training, double momentum, double eps) {
        return then(UnaryFn.SILU, batchNormForward(x, weight, bias, runningMean, runningVar, training, momentum, eps));
    }

    /** {@link #batchNormSiluPooledForward}'s result: the fused forward's, and the mean of each output plane, (N, C, 1, 1). */
    record PooledResult(BatchNormResult result, Tensor planeMeans) {}

    /**
     * {@link #batchNormSiluForward}, and the mean over each (n, c) plane of its output: the global
     * average pool that squeeze-excitation runs on it next (EfficientNet's depthwise conv blocks).
     * This default pools the output in a second pass; a backend may sum each plane while its
     * output is still staged (the CPU's float32 path).
     */
    default PooledResult batchNormSiluPooledForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                    Tensor runningVar, boolean training, double momentum, double eps) {
        BatchNormResult r = batchNormSiluForward(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        return new PooledResult(r, r.out().backend().pool().adaptiveAvgPool2dForward(r.out(), 1, 1));
    }

    /**
     * Backward of {@link #batchNormSiluForward}: with y = x̂ * weight + bias recomputed from x and
     * the saved statistics (y itself is not kept), dL/dy = g * silu'(y), then
     * {@link #batchNormBackward} of dL/dy. {@code weight} and {@code bias} may be null; so may
     * {@code out}, the forward's output silu(y), which a backend may read for sigmoid(y) = out / y
     * (this default does not).
     */
    default BatchNormGrads batchNormSiluBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor bias, Tensor out,
                                                 Tensor saveMean, Tensor saveInvstd, boolean training, boolean needX,
                                                 boolean needWeight, boolean needBias) {
        ElementwiseKernels ew = x.backend().elementwise();
        Tensor y = ew.binary(BinaryFn.MUL, ew.binary(BinaryFn.SUB, x, perChannel(saveMean, x)), perChannel(saveInvstd, x));
        if (weight != null) {
            y = ew.binary(BinaryFn.MUL, y, perChannel(weight, x));
        }
        if (bias != null) {
            y = ew.binary(BinaryFn.ADD, y, perChannel(bias, x));
        }
        Tensor gy = ew.binary(BinaryFn.SILU_BACKWARD, gradOut, y);
        return batchNormBackward(gy, x, weight, saveMean, saveInvstd, training, needX, needWeight, needBias);
    }

    /**
     * relu(batch norm of x), the pair of the challenge CNNs and ResNet's stem and blocks, as one
     * call: the same arguments and statistics as {@link #batchNormForward}, the output passed
     * through relu(y) = max(y, 0). This default runs the two kernels one after the other; a backend
     * may fuse them (the CPU's float32 path applies ReLU to each staged block before storing it).
     */
    default BatchNormResult batchNormReluForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                 Tensor runningVar, boolean training, double momentum, double eps) {
        return then(UnaryFn.RELU, batchNormForward(x, weight, bias, runningMean, runningVar, training, momentum, eps));
    }

    /**
     * Backward of {@link #batchNormReluForward} given its output {@code out}: dL/dy = g where
     * out > 0, else 0 (out > 0 exactly where y > 0, so the mask is the Relu op's), then
     * {@link #batchNormBackward} of dL/dy. {@code weight} may be null.
     */
    default BatchNormGrads batchNormReluBackward(Tensor gradOut, Tensor out, Tensor x, Tensor weight, Tensor saveMean,
                                                 Tensor saveInvstd, boolean training, boolean needX, boolean needWeight,
                                                 boolean needBias) {
        Tensor gy = x.backend().elementwise().binary(BinaryFn.RELU_BACKWARD, gradOut, out);
        return batchNormBackward(gy, x, weight, saveMean, saveInvstd, training, needX, needWeight, needBias);
    }

    /** r with its output passed through {@code activation} (a second kernel). */
    private static BatchNormResult then(UnaryFn activation, BatchNormResult r) {
        return new BatchNormResult(r.out().backend().elementwise().unary(activation, r.out(), 0, 0), r.saveMean(),
                r.saveInvstd());
    }

    /** The (C) vector v as a (1, C, 1, ...) view that broadcasts over x (N, C, S...). */
    private static Tensor perChannel(Tensor v, Tensor x) {
        int[] shape = new int[x.dim()];
        int[] strides = new int[x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[1] = v.shape(0);
        strides[1] = v.strides()[0];
        return v.view(shape, strides, v.offset());
    }
}
