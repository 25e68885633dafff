package org.gradlab.nn.layers;

import org.gradlab.engine.Functional;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;

/** Adaptive average pooling to (outH, outW); (1, 1) = global mean over H, W. */
public final class AdaptiveAvgPool2d extends Module {
    public final int outH;
    public final int outW;

    public AdaptiveAvgPool2d(int outH, int outW) {
        this.outH = outH;
        this.outW = outW;
    }

    public AdaptiveAvgPool2d(int out) {
        this(out, out);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.adaptiveAvgPool2d(x, outH, outW);
    }

    @Override
    protected String describe() {
        return "(output_size=(" + outH + ", " + outW + "))";
    }
}
