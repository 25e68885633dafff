package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = min(max(x, lo), hi). NOTE: the gradient passes where lo <= x <= hi (boundaries included), as in PyTorch.
 *
 * <p>d clamp(x)/dx = 1 if lo <= x <= hi else 0
 */
@Derivative("d clamp(x)/dx = 1 if lo <= x <= hi else 0")
public final class Clamp extends Op {
    private double lo;
    private double hi;

    public static Tensor apply(Tensor x, double lo, double hi) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.CLAMP, x, lo, hi);
        if (Autograd.isRecording(x)) {
            Clamp op = new Clamp();
            op.save(x);
            op.lo = lo;
            op.hi = hi;
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(saved(0).backend().elementwise().unary(UnaryFn.INSIDE_MASK, saved(0), lo, hi))};
    }
}
