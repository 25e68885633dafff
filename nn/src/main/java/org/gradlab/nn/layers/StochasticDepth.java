package org.gradlab.nn.layers;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * Stochastic depth (drop path), torchvision {@code StochasticDepth(p, "row")}: in training each
 * sample's branch is dropped with probability p, out_n = x_n * m_n / (1 - p) with
 * m_n ~ Bernoulli(1 - p), one draw per sample (shape (N, 1, ..., 1), broadcast); in eval, or
 * with p = 0, out = x. Gradient g * m_n / (1 - p).
 * NOTE: the mask is drawn on the host from the layer's generator (one nextDouble per sample,
 * kept iff u >= p), so a seed gives the same mask on every backend; p = 1 gives zeros.
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
        if (!isTraining() || p == 0) {
            return x;
        }
        int n = x.shape(0);
        double keep = p == 1 ? 0 : 1 / (1 - p);
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = gen.nextDouble() >= p ? keep : 0;
        }
        int[] maskShape = new int[x.dim()];
        java.util.Arrays.fill(maskShape, 1);
        maskShape[0] = n;
        return x.mul(Tensor.of(x.dtype(), x.device(), m, maskShape));
    }

    @Override
    protected String describe() {
        return "(p=" + p + ", mode=row)";
    }
}
