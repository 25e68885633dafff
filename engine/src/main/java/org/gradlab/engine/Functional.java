package org.gradlab.engine;

import org.gradlab.engine.ops.AdaptiveAvgPool2d;
import org.gradlab.engine.ops.AvgPool2d;
import org.gradlab.engine.ops.BatchNorm2d;
import org.gradlab.engine.ops.BatchNormRelu;
import org.gradlab.engine.ops.BatchNormSilu;
import org.gradlab.engine.ops.ChannelGate;
import org.gradlab.engine.ops.Conv2d;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.DropPath;
import org.gradlab.engine.ops.Dropout;
import org.gradlab.engine.ops.Gelu;
import org.gradlab.engine.ops.LayerNorm;
import org.gradlab.engine.ops.Linear;
import org.gradlab.engine.ops.LogSoftmax;
import org.gradlab.engine.ops.MaxPool2d;
import org.gradlab.engine.ops.MultiHeadAttention;
import org.gradlab.engine.ops.Narrow;
import org.gradlab.engine.ops.NllLoss;
import org.gradlab.engine.ops.ScaledDotProductAttention;
import org.gradlab.engine.ops.Silu;
import org.gradlab.engine.ops.SoftTargetCrossEntropy;
import org.gradlab.engine.ops.Softmax;
import org.gradlab.engine.ops.SqueezeExcitation;

/**
 * The ops as functions, like PyTorch's {@code torch.nn.functional}: what layers call. Several op
 * classes share their names with the layers built on them ({@code Conv2d}, {@code Linear},
 * {@code BatchNorm2d}, ...), so a layer calls {@code Functional.conv2d(...)} rather than a fully
 * qualified {@code org.gradlab.engine.ops.Conv2d.apply(...)}. Each method is the op's
 * {@code apply}; the math and the derivative are documented on the op class.
 */
public final class Functional {
    private Functional() {}

    /** x @ weightᵀ + bias over the last dimension; bias may be null ({@link Linear}). */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Linear.apply(x, weight, bias);
    }

    /** 2-D cross-correlation, NCHW, zero padding; bias may be null ({@link Conv2d}). */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int groups) {
        return Conv2d.apply(x, weight, bias, stride, padding, groups);
    }

    /** Max over k×k windows, first maximum in row-major order ({@link MaxPool2d}). */
    public static Tensor maxPool2d(Tensor x, int kernelSize, int stride, int padding) {
        return MaxPool2d.apply(x, kernelSize, stride, padding);
    }

    /** Mean over k×k windows, padding counted or not ({@link AvgPool2d}). */
    public static Tensor avgPool2d(Tensor x, int kernelSize, int stride, int padding, boolean countIncludePad) {
        return AvgPool2d.apply(x, kernelSize, stride, padding, countIncludePad);
    }

    /** Mean over PyTorch's adaptive windows to an outH×outW output ({@link AdaptiveAvgPool2d}). */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        return AdaptiveAvgPool2d.apply(x, outH, outW);
    }

    /**
     * Batch norm over (N, H, W) per channel; in training it updates the running statistics in
     * place ({@link BatchNorm2d}). weight, bias and the running statistics may be null.
     */
    public static Tensor batchNorm2d(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                     boolean training, double momentum, double eps) {
        return BatchNorm2d.apply(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** silu(batchNorm2d(...)) as one op ({@link BatchNormSilu}): the same arguments as {@link #batchNorm2d}. */
    public static Tensor batchNormSilu2d(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                         boolean training, double momentum, double eps) {
        return BatchNormSilu.apply(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /**
     * {@link #batchNormSilu2d} and the mean of each (n, c) plane of its output from the same kernel
     * ({@link BatchNormSilu#applyPooled}): the squeeze that {@link #squeezeExcitation} reads next.
     */
    public static BatchNormSilu.Pooled batchNormSilu2dPooled(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                             Tensor runningVar, boolean training, double momentum, double eps) {
        return BatchNormSilu.applyPooled(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** relu(batchNorm2d(...)) as one op ({@link BatchNormRelu}): the same arguments as {@link #batchNorm2d}. */
    public static Tensor batchNormRelu2d(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                         boolean training, double momentum, double eps) {
        return BatchNormRelu.apply(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** x * sigmoid(logits), one gate per (n, c) plane: squeeze-excitation's gate as one op ({@link ChannelGate}). */
    public static Tensor channelGate(Tensor x, Tensor logits) {
        return ChannelGate.apply(x, logits);
    }

    /**
     * Squeeze-excitation as one op ({@link SqueezeExcitation}): x * sigmoid(fc2(silu(fc1(mean_hw(x))))) with
     * fc1 = (w1 (S, C, 1, 1), b1) and fc2 = (w2 (C, S, 1, 1), b2), 1x1 convs on the pooled (N, C, 1, 1).
     */
    public static Tensor squeezeExcitation(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return SqueezeExcitation.apply(x, w1, b1, w2, b2);
    }

    /** {@link #squeezeExcitation} with x's plane means given (from {@link #batchNormSilu2dPooled}; null: pooled here). */
    public static Tensor squeezeExcitation(Tensor x, Tensor planeMeans, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return SqueezeExcitation.apply(x, planeMeans, w1, b1, w2, b2);
    }

    /** Zeroes each element with probability p and scales the rest by 1/(1-p) when training ({@link Dropout}). */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
        return Dropout.apply(x, p, training, gen);
    }

    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    /** x · sigmoid(x) ({@link Silu}). */
    public static Tensor silu(Tensor x) {
        return Silu.apply(x);
    }

    /** Exact GELU, x · Φ(x) ({@link Gelu}). */
    public static Tensor gelu(Tensor x) {
        return Gelu.apply(x);
    }

    /** GELU, exact or PyTorch's approximate='tanh' ({@link Gelu}). */
    public static Tensor gelu(Tensor x, Gelu.Approximation approximation) {
        return Gelu.apply(x, approximation);
    }

    /** log softmax over the last dimension of (N, C) ({@link LogSoftmax}). */
    public static Tensor logSoftmax(Tensor x) {
        return LogSoftmax.apply(x);
    }

    /** Cross-entropy of (N, C) logits and class indices, PyTorch semantics ({@link CrossEntropy}); weight may be null. */
    public static Tensor crossEntropy(Tensor logits, int[] target, Tensor weight, double labelSmoothing, Reduction reduction) {
        return CrossEntropy.apply(logits, target, weight, labelSmoothing, reduction);
    }

    /** Negative log-likelihood of (N, C) log-probabilities and class indices ({@link NllLoss}); weight may be null. */
    public static Tensor nllLoss(Tensor logp, int[] target, Tensor weight, Reduction reduction) {
        return NllLoss.apply(logp, target, weight, reduction);
    }

    /** Layer norm over the last dims {@code normalizedShape}; weight and bias may be null ({@link LayerNorm}). */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return LayerNorm.apply(x, normalizedShape, weight, bias, eps);
    }

    /** Softmax along {@code axis} (negative counts from the end) ({@link Softmax}). */
    public static Tensor softmax(Tensor x, int axis) {
        return Softmax.apply(x, axis);
    }

    /** {@code length} elements along {@code axis} from {@code start}, a view ({@link Narrow}). */
    public static Tensor narrow(Tensor x, int axis, int start, int length) {
        return Narrow.apply(x, axis, start, length);
    }

    /** softmax(q kᵀ/√d) v over the last two dims ({@link ScaledDotProductAttention}). */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v) {
        return ScaledDotProductAttention.apply(q, k, v);
    }

    /** Multi-head self-attention of (N, T, E), PyTorch's parameter layout; biases may be null ({@link MultiHeadAttention}). */
    public static MultiHeadAttention.Result multiHeadSelfAttention(Tensor x, int heads, Tensor inProjWeight, Tensor inProjBias,
                                                                   Tensor outProjWeight, Tensor outProjBias) {
        return MultiHeadAttention.selfAttention(x, heads, inProjWeight, inProjBias, outProjWeight, outProjBias);
    }

    /** {@link #multiHeadSelfAttention} whose attention weights take a gradient, as PyTorch's do (composed, slower). */
    public static MultiHeadAttention.Result multiHeadSelfAttentionWithWeightGradients(Tensor x, int heads, Tensor inProjWeight,
            Tensor inProjBias, Tensor outProjWeight, Tensor outProjBias) {
        return MultiHeadAttention.selfAttentionWithWeightGradients(x, heads, inProjWeight, inProjBias, outProjWeight, outProjBias);
    }

    /** Stochastic depth, torchvision's mode "row": whole samples dropped with probability p when training ({@link DropPath}). */
    public static Tensor dropPath(Tensor x, double p, boolean training, Generator gen) {
        return DropPath.apply(x, p, training, gen);
    }

    /** Cross-entropy of (N, C) logits and (N, C) class probabilities ({@link SoftTargetCrossEntropy}). */
    public static Tensor softTargetCrossEntropy(Tensor logits, Tensor targetProbs, double labelSmoothing, Reduction reduction) {
        return SoftTargetCrossEntropy.apply(logits, targetProbs, labelSmoothing, reduction);
    }
}
