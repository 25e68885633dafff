package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = e^x.
 *
 * <p>d(e^x)/dx = e^x = out
 */
@Derivative("d(e^x)/dx = e^x = out")
public final class Exp extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.EXP, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Exp op = new Exp();
            op.save(out);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(saved(0))};
    }
}
