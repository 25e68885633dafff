package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = |x|. NOTE: the gradient at 0 is 0 (sign(0) = 0), as in PyTorch.
 *
 * <p>d|x|/dx = sign(x)
 */
@Derivative("d|x|/dx = sign(x)")
public final class Abs extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.ABS, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Abs op = new Abs();
            op.save(x);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(Sign.of(saved(0)))};
    }
}
