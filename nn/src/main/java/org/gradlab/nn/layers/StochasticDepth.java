package org.gradlab.nn.layers;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.DropPath;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * Stochastic depth (drop path), torchvision {@code StochasticDepth(p, "row")}: in training each
 * sample's branch is dropped with probability p, out_n = x_n * m_n / (1 - p) with
 * m_n ~ Bernoulli(1 - p), one draw per sample (shape (N, 1, ..., 1), broadcast); in eval, or
 * with p = 0, out = x. Gradient g * m_n / (1 - p). The math (and the host-drawn mask) is in
 * {@link DropPath}; this layer holds p, the generator and the train/eval mode.
 */
public final class StochasticDepth extends Module {
    public final double p;
    private final Generator gen;

    public StochasticDepth(double p, Generator gen) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("StochasticDepth: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.gen = gen;
    }

    public StochasticDepth(double p) {
        this(p, Init.defaultGenerator().fork());
    }

    /** The generator that draws this layer's masks. */
    public Generator generator() {
        return gen;
    }

    @Override
    public Tensor forward(Tensor x) {
        return DropPath.apply(x, p, isTraining(), gen);
    }

    @Override
    protected String describe() {
        return "(p=" + p + ", mode=row)";
    }
}
