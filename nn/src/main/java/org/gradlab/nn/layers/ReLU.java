package org.gradlab.nn.layers;

import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** out = max(x, 0); gradient g * (x > 0). No parameters. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
