package org.gradlab.nn.models;

import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.AdaptiveAvgPool2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.SiLU;
import org.gradlab.nn.layers.Sigmoid;

/**
 * torchvision {@code SqueezeExcitation(channels, squeeze, activation=SiLU)} as EfficientNet
 * uses it: {@code s = sigmoid(fc2(silu(fc1(avgpool(x)))))}, out = s * x (s has shape (N,C,1,1),
 * one gate per channel, broadcast over H, W). fc1/fc2 are 1x1 convolutions with bias.
 * Children (torchvision order): avgpool, fc1, fc2, activation, scale_activation.
 *
 * <p>NOTE: the sigmoid and the multiply run as ONE engine op ({@code ChannelGate}: its backward
 * sums g·x per plane in the pass that writes dx, instead of materialising g·x and reducing it);
 * {@code scale_activation} stays registered so the module tree matches torchvision's, but the
 * forward does not call it.
 */
public final class SqueezeExcitation extends Module {
    public SqueezeExcitation(int channels, int squeeze, Generator gen) {
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("fc1", new Conv2d(channels, squeeze, 1, 1, 0, 1, true, gen));
        registerModule("fc2", new Conv2d(squeeze, channels, 1, 1, 0, 1, true, gen));
        registerModule("activation", new SiLU());
        registerModule("scale_activation", new Sigmoid());
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor s = child("avgpool").call(x);
        s = child("activation").call(child("fc1").call(s));
        return Functional.channelGate(x, child("fc2").call(s));
    }
}
