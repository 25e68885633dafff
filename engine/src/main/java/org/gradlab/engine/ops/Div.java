package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;

/**
 * out = a / b, with NumPy broadcasting.
 *
 * <p>d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
 */
@Derivative("d(a/b)/da = 1/b, d(a/b)/db = -a/b^2")
public final class Div extends Op {

    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDeviceAndDtype("div", a, b);
        Tensor out = a.backend().elementwise().binary(BinaryFn.DIV, a, b);
        if (Autograd.isRecording(a, b)) {
            Div op = new Div();
            op.save(a);
            op.save(b);
            Autograd.record(op, out, a, b);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {needsGrad(0) ? g.div(saved(1)) : null, needsGrad(1) ? g.mul(saved(0)).div(saved(1).mul(saved(1))).neg() : null};
    }
}
