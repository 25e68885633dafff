package org.gradlab.nn.layers;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Silu;
import org.gradlab.nn.Module;

/** SiLU / Swish, {@code torch.nn.SiLU}: out = x * sigmoid(x). No parameters; the math is in {@link Silu}. */
public final class SiLU extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return Silu.apply(x);
    }
}
