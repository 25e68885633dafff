package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = tanh(x).
 *
 * <p>d tanh(x)/dx = 1 - out^2
 */
@Derivative("d tanh(x)/dx = 1 - out^2")
public final class Tanh extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.TANH, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Tanh op = new Tanh();
            op.save(out);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(saved(0).mul(saved(0)).mul(-1).add(1))};
    }
}
