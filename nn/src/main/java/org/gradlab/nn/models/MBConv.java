package org.gradlab.nn.models;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.BatchNormSilu;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Sequential;
import org.gradlab.nn.layers.StochasticDepth;

/**
 * torchvision's EfficientNet {@code MBConv} (mobile inverted bottleneck), children {@code block}
 * and {@code stochastic_depth}:
 * <pre>
 * block = [ConvBNSiLU 1x1 in -> in*expand]          (only when expand != 1)
 *         ConvBNSiLU kxk depthwise, stride s         (groups = channels)
 *         SqueezeExcitation(in*expand, squeeze = max(1, in/4))   (the block INPUT channels)
 *         ConvBN 1x1 -> out                          (no activation: a linear bottleneck)
 * out = x + stochastic_depth(block(x))  when stride 1 and in == out, else block(x)
 * </pre>
 * State-dict names {@code block.0.0.weight}, {@code block.1.1.running_mean},
 * {@code block.2.fc1.weight}, ... exactly as torchvision's.
 */
public final class MBConv extends Module {
    /** One stage of identical blocks: torchvision's {@code MBConvConfig} (width and depth multiplier 1). */
    public record Config(int expandRatio, int kernel, int stride, int inChannels, int outChannels, int layers) {
        public Config {
            if (expandRatio < 1 || kernel < 1 || kernel % 2 == 0 || stride < 1 || inChannels < 1 || outChannels < 1 || layers < 1) {
                throw new IllegalArgumentException("MBConv config: expected expand >= 1, odd kernel, positive stride, channels and layers, got "
                        + expandRatio + ", " + kernel + ", " + stride + ", " + inChannels + ", " + outChannels + ", " + layers);
            }
        }
    }

    private final boolean residual;

    /**
     * @param expandRatio expansion of the 1x1 conv (1: none)
     * @param stochasticDepthProb probability of dropping the residual branch in training
     */
    public MBConv(int expandRatio, int kernel, int stride, int in, int out, double stochasticDepthProb, Generator gen) {
        this.residual = stride == 1 && in == out;
        int expanded = makeDivisible(in * expandRatio, 8);
        Sequential block = new Sequential();
        if (expanded != in) {
            block.add(ConvNormActivation.of(in, expanded, 1, 1, 1, true, gen));
        }
        block.add(ConvNormActivation.of(expanded, expanded, kernel, stride, expanded, true, gen));
        block.add(new SqueezeExcitation(expanded, Math.max(1, in / 4), gen));
        block.add(ConvNormActivation.of(expanded, out, 1, 1, 1, false, gen));
        registerModule("block", block);
        registerModule("stochastic_depth", new StochasticDepth(stochasticDepthProb, gen.fork()));
    }

    /** Whether the block adds its input back (stride 1 and equal channel counts). */
    public boolean residual() {
        return residual;
    }

    /**
     * torchvision's {@code _make_divisible(v, divisor)}: the nearest multiple of {@code divisor}
     * (at least divisor), raised by one divisor if rounding lost more than 10%.
     */
    static int makeDivisible(double v, int divisor) {
        int n = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (n < 0.9 * v) {
            n += divisor;
        }
        return n;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor result = runBlock(x);
        if (residual) {
            result = child("stochastic_depth").call(result).add(x);
        }
        return result;
    }

    /**
     * block(x), layer by layer, with the depthwise conv block's batch norm + SiLU also returning the
     * mean of each plane of its output ({@code BatchNorm2d.callPooled}), which squeeze-excitation
     * takes instead of pooling that output again. A block whose layers were replaced by others runs
     * as a plain Sequential.
     */
    private Tensor runBlock(Tensor x) {
        Sequential block = (Sequential) child("block");
        int excitation = block.size() - 2;
        if (!(block.get(excitation) instanceof SqueezeExcitation se)
                || !(block.get(excitation - 1) instanceof Sequential depthwise) || depthwise.size() != 2
                || !(depthwise.get(1) instanceof BatchNorm2d norm) || norm.activation != BatchNorm2d.Activation.SILU) {
            return block.call(x);
        }
        Tensor h = x;
        for (int i = 0; i < excitation - 1; i++) {
            h = block.get(i).call(h);
        }
        BatchNormSilu.Pooled d = norm.callPooled(depthwise.get(0).call(h));
        h = se.callWithPlaneMeans(d.out(), d.planeMeans());
        return block.get(excitation + 1).call(h);
    }
}
