package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = 1 / (1 + e^-x), computed without overflow for large |x|.
 *
 * <p>d sigmoid(x)/dx = out * (1 - out)
 */
@Derivative("d sigmoid(x)/dx = out * (1 - out)")
public final class Sigmoid extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.SIGMOID, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Sigmoid op = new Sigmoid();
            op.save(out);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(saved(0)).mul(saved(0).mul(-1).add(1))};
    }
}
