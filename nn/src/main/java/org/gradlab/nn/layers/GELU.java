package org.gradlab.nn.layers;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Gelu;
import org.gradlab.nn.Module;

/**
 * GELU, {@code torch.nn.GELU(approximate)}: exact out = x Phi(x) (Phi the standard normal CDF),
 * or the tanh approximation. No parameters; the math is in {@link Gelu}.
 */
public final class GELU extends Module {
    private final Gelu.Approximation approximation;

    public GELU(Gelu.Approximation approximation) {
        this.approximation = approximation;
    }

    /** The exact (erf) form, PyTorch's default. */
    public GELU() {
        this(Gelu.Approximation.NONE);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Gelu.apply(x, approximation);
    }

    @Override
    protected String describe() {
        return approximation == Gelu.Approximation.TANH ? "(approximate='tanh')" : "(approximate='none')";
    }
}
