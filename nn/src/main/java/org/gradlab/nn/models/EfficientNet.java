package org.gradlab.nn.models;

import java.util.List;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;
import org.gradlab.nn.layers.AdaptiveAvgPool2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.Sequential;

/**
 * torchvision's {@code EfficientNet} (v1) with its state-dict names: {@code features} =
 * [stem ConvBNSiLU 3x3 s2, one Sequential of {@link MBConv} blocks per stage, head ConvBNSiLU
 * 1x1 to 4x the last stage's channels], {@code avgpool}, {@code classifier} = [Dropout,
 * Linear]. forward: features, global average pool, flatten, classifier.
 *
 * <p>Stochastic depth grows linearly with the block index over the whole network:
 * block b of B gets {@code p * b / B} (the first block 0). Init as torchvision: convs
 * kaiming_normal(fan_out) with zero bias, BatchNorm weight 1 / bias 0, Linear weight
 * U(-1/sqrt(out), 1/sqrt(out)) with zero bias.
 *
 * <p>{@link #b0} = {@code efficientnet_b0}: dropout 0.2, stochastic depth 0.2, 5,288,548
 * parameters with 1000 classes.
 */
public final class EfficientNet extends Module {
    /** efficientnet_b0's stages: expand ratio, kernel, stride, in, out, blocks (width and depth 1.0). */
    public static final List<MBConv.Config> B0_STAGES = List.of(
            new MBConv.Config(1, 3, 1, 32, 16, 1),
            new MBConv.Config(6, 3, 2, 16, 24, 2),
            new MBConv.Config(6, 5, 2, 24, 40, 2),
            new MBConv.Config(6, 3, 2, 40, 80, 3),
            new MBConv.Config(6, 5, 1, 80, 112, 3),
            new MBConv.Config(6, 5, 2, 112, 192, 4),
            new MBConv.Config(6, 3, 1, 192, 320, 1));

    /**
     * @param inChannels image channels the stem reads (torchvision: 3)
     * @param dropout the classifier's dropout probability
     * @param stochasticDepthProb the largest drop-path probability (reached by the last block)
     */
    public EfficientNet(List<MBConv.Config> stages, int inChannels, int numClasses, double dropout, double stochasticDepthProb, Generator gen) {
        if (stages.isEmpty() || inChannels <= 0 || numClasses <= 0) {
            throw new IllegalArgumentException("EfficientNet: expected stages, positive in_channels and num_classes, got "
                    + stages.size() + " stages, " + inChannels + ", " + numClasses);
        }
        Sequential features = new Sequential();
        features.add(ConvNormActivation.of(inChannels, stages.get(0).inChannels(), 3, 2, 1, true, gen));
        int totalBlocks = stages.stream().mapToInt(MBConv.Config::layers).sum();
        int blockId = 0;
        for (MBConv.Config c : stages) {
            Sequential stage = new Sequential();
            for (int i = 0; i < c.layers(); i++) {
                int in = i == 0 ? c.inChannels() : c.outChannels();
                int stride = i == 0 ? c.stride() : 1;
                double p = stochasticDepthProb * blockId / totalBlocks;
                stage.add(new MBConv(c.expandRatio(), c.kernel(), stride, in, c.outChannels(), p, gen));
                blockId++;
            }
            features.add(stage);
        }
        int last = stages.get(stages.size() - 1).outChannels();
        features.add(ConvNormActivation.of(last, 4 * last, 1, 1, 1, true, gen));
        registerModule("features", features);
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("classifier", new Sequential(new Dropout(dropout, gen.fork()), new Linear(4 * last, numClasses, gen)));
        initialise(gen);
    }

    /** torchvision.models.efficientnet_b0(weights=None, num_classes) reading {@code inChannels} channels. */
    public static EfficientNet b0(int inChannels, int numClasses, Generator gen) {
        return new EfficientNet(B0_STAGES, inChannels, numClasses, 0.2, 0.2, gen);
    }

    /** b0 with explicit classifier dropout and stochastic-depth probability (golden files use 0, 0). */
    public static EfficientNet b0(int inChannels, int numClasses, double dropout, double stochasticDepthProb, Generator gen) {
        return new EfficientNet(B0_STAGES, inChannels, numClasses, dropout, stochasticDepthProb, gen);
    }

    private void initialise(Generator gen) {
        for (Module m : namedModules().values()) {
            if (m instanceof Conv2d c) {
                Init.copyInto(c.weight(), Init.kaimingNormalFanOut(gen, DType.F64, Device.CPU, c.weight().shape()));
                if (c.bias() != null) {
                    Init.copyInto(c.bias(), Init.constant(0, DType.F64, Device.CPU, c.outChannels));
                }
            } else if (m instanceof Linear l) {
                double r = 1 / Math.sqrt(l.outFeatures);
                Init.copyInto(l.weight(), Init.uniform(gen, -r, r, DType.F64, Device.CPU, l.weight().shape()));
                Init.copyInto(l.bias(), Init.constant(0, DType.F64, Device.CPU, l.outFeatures));
            }
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = child("avgpool").call(child("features").call(x));
        return child("classifier").call(h.flatten(1));
    }
}
