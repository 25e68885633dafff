package org.gradlab.nn.models;

import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
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
 * <p>NOTE: the whole block runs as ONE engine op ({@code ops.SqueezeExcitation}: its backward
 * reads g and x once for the gate's gradient and writes dx = g·gate + dL/d(mean)/(H·W) in one more
 * pass over g, instead of the pool's filled gradient being added to the gate's by autograd; fc1
 * and fc2 run as batch GEMMs). The children stay registered with their parameters so the module
 * tree and the state dict match torchvision's, but the forward calls none of them: the profile
 * and the ledger show one {@code SqueezeExcitation} row per block.
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
        return forward(x, null);
    }

    /**
     * {@link #call} with x's plane means given (from {@code BatchNorm2d.callPooled} on the layer that
     * made x), so the block does not pool x itself; null: it does.
     */
    public Tensor callWithPlaneMeans(Tensor x, Tensor planeMeans) {
        try (Autograd.ScopeHandle s = path().isEmpty() ? null : Autograd.scope(path())) {
            return forward(x, planeMeans);
        }
    }

    private Tensor forward(Tensor x, Tensor planeMeans) {
        Conv2d fc1 = (Conv2d) child("fc1");
        Conv2d fc2 = (Conv2d) child("fc2");
        return Functional.squeezeExcitation(x, planeMeans, fc1.weight(), fc1.bias(), fc2.weight(), fc2.bias());
    }
}
