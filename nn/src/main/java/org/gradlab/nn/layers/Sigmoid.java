package org.gradlab.nn.layers;

import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** out = 1 / (1 + e^-x), {@code torch.nn.Sigmoid}; gradient g * out * (1 - out). No parameters. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
