package org.gradlab.nn.models;

import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;
import org.gradlab.nn.layers.AdaptiveAvgPool2d;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.Identity;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.MaxPool2d;
import org.gradlab.nn.layers.Sequential;

/**
 * torchvision ResNet with BasicBlocks (resnet18 = [2,2,2,2]) and torchvision's exact
 * state-dict names: conv1, bn1, layer{1..4}.{i}.conv1/bn1/conv2/bn2[/downsample.0/1], fc.
 *
 * <p>forward: conv1(7x7 s2 p3) - bn1 - relu - maxpool(3, 2, 1) - layer1..4 - avgpool(1) - flatten - fc.
 * NOTE: bn1 is {@link BatchNorm2d#thenRelu} (batch norm and relu as one op, the same bits), so
 * there is no separate relu child; the state dict is torchvision's all the same.
 * Init as torchvision: convs kaiming_normal(fan_out, relu), BN weight 1 / bias 0, fc the default
 * Linear init.
 *
 * <p>Variants: {@link #stem28()} (3x3 stride-1 conv1, no max-pool: the 28x28 "kitchen sink"),
 * {@link #replaceHead(Module)} / {@link #dropoutHead(double, int, Generator)}, {@link #freezeBackbone()}.
 */
public final class ResNet extends Module {
    private final Generator gen;
    private final int inChannels;

    public ResNet(int[] blocks, int numClasses, Generator gen) {
        this(blocks, 3, numClasses, gen);
    }

    /** @param inChannels image channels conv1 reads (3 for RGB, 1 for grayscale) */
    public ResNet(int[] blocks, int inChannels, int numClasses, Generator gen) {
        if (inChannels <= 0 || numClasses <= 0) {
            throw new IllegalArgumentException("ResNet: expected positive in_channels and num_classes, got " + inChannels + " and " + numClasses);
        }
        this.gen = gen;
        this.inChannels = inChannels;
        registerModule("conv1", new Conv2d(inChannels, 64, 7, 2, 3, 1, false, gen));
        registerModule("bn1", BatchNorm2d.thenRelu(64));
        registerModule("maxpool", new MaxPool2d(3, 2, 1));
        int inplanes = 64;
        int[] planes = {64, 128, 256, 512};
        for (int l = 0; l < 4; l++) {
            Sequential layer = new Sequential();
            int stride = l == 0 ? 1 : 2;
            for (int b = 0; b < blocks[l]; b++) {
                int s = b == 0 ? stride : 1;
                boolean ds = b == 0 && (s != 1 || inplanes != planes[l]);
                layer.add(new BasicBlock(inplanes, planes[l], s, ds, gen));
                inplanes = planes[l];
            }
            registerModule("layer" + (l + 1), layer);
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("fc", new Linear(512, numClasses, gen));
        // torchvision: for m in modules(): Conv2d -> kaiming_normal_(fan_out, relu); BN -> 1, 0
        for (Module m : namedModules().values()) {
            if (m instanceof Conv2d c) {
                Init.copyInto(c.weight(), Init.kaimingNormalFanOut(gen, DType.F64, Device.CPU, c.weight().shape()));
            }
        }
    }

    /** torchvision.models.resnet18(weights=None, num_classes=numClasses). */
    public static ResNet resnet18(int numClasses, Generator gen) {
        return resnet18(3, numClasses, gen);
    }

    /**
     * resnet18 whose conv1 reads {@code inChannels} channels (1: the MedMNIST benchmark's
     * ResNet-18 on grayscale images; torchvision itself has no such argument).
     */
    public static ResNet resnet18(int inChannels, int numClasses, Generator gen) {
        return new ResNet(new int[] {2, 2, 2, 2}, inChannels, numClasses, gen);
    }

    /**
     * 28x28 stem: conv1 = Conv2d(in_channels, 64, 3, stride 1, padding 1, bias False) (PyTorch
     * default init, as a freshly assigned layer gets) and maxpool = Identity.
     */
    public ResNet stem28() {
        Module c = new Conv2d(inChannels, 64, 3, 1, 1, 1, false, gen);
        matchDtypeDevice(c);
        registerModule("conv1", c);
        registerModule("maxpool", new Identity());
        return this;
    }

    /** Replaces fc with {@code head} (kept under the name "fc"). */
    public ResNet replaceHead(Module head) {
        matchDtypeDevice(head);
        registerModule("fc", head);
        return this;
    }

    /** fc = Sequential(Dropout(p), Linear(512, numClasses)): state-dict names fc.1.weight / fc.1.bias. */
    public ResNet dropoutHead(double p, int numClasses, Generator g) {
        return replaceHead(new Sequential(new Dropout(p, g.fork()), new Linear(512, numClasses, g)));
    }

    /** requires_grad False for every parameter except the head (fc.*). */
    public ResNet freezeBackbone() {
        freeze();
        child("fc").unfreeze();
        return this;
    }

    private void matchDtypeDevice(Module m) {
        DType dt = dtype();
        Device dev = device();
        if (m.dtype() != dt) {
            m.to(dt);
        }
        if (!m.device().equals(dev)) {
            m.to(dev);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Map.Entry<String, Module> e : children().entrySet()) {
            if (e.getKey().equals("fc")) {
                h = h.flatten(1);
            }
            h = e.getValue().call(h);
        }
        return h;
    }
}
