package org.gradlab.nn.layers;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * Fully connected layer, {@code torch.nn.Linear(in, out, bias)}: out = x @ weight^T + bias.
 * "weight" (out, in), "bias" (out). Init as PyTorch: both U(-1/sqrt(in), 1/sqrt(in)).
 */
public final class Linear extends Module {
    public final int inFeatures;
    public final int outFeatures;

    public Linear(int in, int out, boolean bias, Generator gen) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: features must be positive, got in=" + in + " out=" + out);
        }
        this.inFeatures = in;
        this.outFeatures = out;
        registerParameter("weight", Init.defaultWeight(gen, DType.F32, Device.CPU, out, in));
        if (bias) {
            registerParameter("bias", Init.defaultBias(gen, in, DType.F32, Device.CPU, out));
        }
    }

    public Linear(int in, int out, Generator gen) {
        this(in, out, true, gen);
    }

    public Linear(int in, int out) {
        this(in, out, true, Init.defaultGenerator());
    }

    public Tensor weight() {
        return param("weight");
    }

    public Tensor bias() {
        return param("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.linear(x, weight(), bias());
    }

    @Override
    protected String describe() {
        return "(in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias() != null) + ")";
    }
}
