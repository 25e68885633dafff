package org.gradlab.nn.layers;

import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/**
 * SiLU / Swish, {@code torch.nn.SiLU}: out = x * sigmoid(x); gradient
 * g * (s + x s (1 - s)) with s = sigmoid(x). No parameters.
 * NOTE: composed from the Sigmoid and Mul ops (autograd derives the gradient above).
 */
public final class SiLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.mul(x.sigmoid());
    }
}
