package org.gradlab.engine.ops;

import java.util.Arrays;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;

/**
 * Stochastic depth ("drop path"), {@code torchvision.ops.stochastic_depth(x, p, mode="row",
 * training)}: in training every sample n (first axis) of a residual branch is dropped whole with
 * probability p, out[n] = x[n]·m_n with m_n = 1/(1−p) (kept) or 0, so E[out] = x. Eval mode or
 * p = 0: identity (x itself, no draw). p = 1: all zeros.
 * NOTE: the mask is drawn on the host from {@code gen}, one nextDouble per sample in order, the
 * sample kept iff u ≥ p (Dropout's rule), so a seed gives the same mask on every backend. Only the
 * (N, 1, …, 1) mask is kept for backward, not x.
 *
 * <p>dx[n] = g[n]·m_n.
 */
@Derivative("d(x*m)/dx = m, one m per sample")
public final class DropPath extends Op {
    public static Tensor apply(Tensor x, double p, boolean training, Generator gen) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("drop_path: p must be in [0, 1], got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        if (gen == null) {
            throw new IllegalArgumentException("drop_path: training mode needs a Generator");
        }
        if (x.dim() == 0) {
            throw new IllegalArgumentException("drop_path: input needs a sample axis, got a scalar");
        }
        int[] maskShape = new int[x.dim()];
        Arrays.fill(maskShape, 1);
        maskShape[0] = x.shape(0);
        Tensor mask = Dropout.keepMask(x, p, gen, maskShape);
        Tensor out = x.backend().elementwise().binary(BinaryFn.MUL, x, mask);
        if (Autograd.isRecording(x)) {
            DropPath op = new DropPath();
            op.save(mask);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.backend().elementwise().binary(BinaryFn.MUL, g, saved(0))};
    }
}
