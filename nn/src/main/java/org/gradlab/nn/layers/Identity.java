package org.gradlab.nn.layers;

import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** out = x (placeholder when a layer is removed, e.g. ResNet's max-pool on 28x28 inputs). */
public final class Identity extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x;
    }
}
