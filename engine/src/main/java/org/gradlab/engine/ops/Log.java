package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = ln x (NaN for x < 0, -inf at 0, as PyTorch).
 *
 * <p>d(ln x)/dx = 1/x
 */
@Derivative("d(ln x)/dx = 1/x")
public final class Log extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.LOG, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Log op = new Log();
            op.save(x);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.div(saved(0))};
    }
}
