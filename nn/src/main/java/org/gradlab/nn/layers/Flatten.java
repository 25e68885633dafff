package org.gradlab.nn.layers;

import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** {@code torch.nn.Flatten()}: (N, d1, d2, ...) -> (N, d1*d2*...), row-major. */
public final class Flatten extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(1);
    }
}
