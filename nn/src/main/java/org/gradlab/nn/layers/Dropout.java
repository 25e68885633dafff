package org.gradlab.nn.layers;

import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * Inverted dropout: in training, out = x * mask / (1-p) with mask ~ Bernoulli(1-p) drawn from
 * the layer's generator; in eval, out = x.
 */
public final class Dropout extends Module {
    public final double p;
    private final Generator gen;

    public Dropout(double p, Generator gen) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.gen = gen;
    }

    public Dropout(double p) {
        this(p, Init.defaultGenerator().fork());
    }

    /** The generator that draws this layer's masks (its state is saved in epoch checkpoints). */
    public Generator generator() {
        return gen;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining(), gen);
    }

    @Override
    protected String describe() {
        return "(p=" + p + ")";
    }
}
