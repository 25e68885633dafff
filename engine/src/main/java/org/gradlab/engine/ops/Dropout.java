package org.gradlab.engine.ops;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.ElementwiseKernels;

/**
 * Inverted dropout: out = x · m, m_j = 1/(1−p) with probability 1−p, else 0, so E[out] = x.
 * NOTE: the mask is drawn on the host from {@code gen} (one nextDouble per element, row-major:
 * element kept iff u ≥ p) and uploaded, so the same seed gives the same mask on every backend.
 * Eval mode or p = 0: identity (returns x itself, no draw). p = 1: all zeros (still no NaN).
 *
 * <p>dx = g · m.
 */
@Derivative("d(x*m)/dx = m")
public final class Dropout extends Op {
    public static Tensor apply(Tensor x, double p, boolean training, Generator gen) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        if (gen == null) {
            throw new IllegalArgumentException("dropout: training mode needs a Generator");
        }
        Tensor mask = keepMask(x, p, gen, x.shape());
        Tensor out = x.backend().elementwise().binary(BinaryFn.MUL, x, mask);
        if (Autograd.isRecording(x)) {
            Dropout op = new Dropout();
            op.save(mask);
            Autograd.record(op, out, x);
        }
        return out;
    }

    /**
     * The inverted-dropout mask of {@code shape} in x's dtype and device, drawn on the host from
     * {@code gen}: one nextDouble per element, row-major, kept (1/(1−p)) iff u ≥ p, else 0; all
     * zeros for p = 1. {@link DropPath} draws its per-sample mask the same way.
     */
    static Tensor keepMask(Tensor x, double p, Generator gen, int... shape) {
        double keepScale = p == 1 ? 0 : 1 / (1 - p);
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        double[] m = new double[Math.toIntExact(count)];
        for (int j = 0; j < m.length; j++) {
            m[j] = gen.nextDouble() >= p ? keepScale : 0;
        }
        return Tensor.of(x.dtype(), x.device(), m, shape);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        ElementwiseKernels ew = g.backend().elementwise(); // into g where it is ours
        return new Tensor[] {ownsGradOut() ? ew.binaryIntoFirst(BinaryFn.MUL, g, saved(0))
                : ew.binary(BinaryFn.MUL, g, saved(0))};
    }
}
