package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;

/**
 * out = a * b, with NumPy broadcasting.
 *
 * <p>d(a*b)/da = b, d(a*b)/db = a
 */
@Derivative("d(a*b)/da = b, d(a*b)/db = a")
public final class Mul extends Op {

    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDeviceAndDtype("mul", a, b);
        Tensor out = a.backend().elementwise().binary(BinaryFn.MUL, a, b);
        if (Autograd.isRecording(a, b)) {
            Mul op = new Mul();
            op.save(a);
            op.save(b);
            Autograd.record(op, out, a, b);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {needsGrad(0) ? g.mul(saved(1)) : null, needsGrad(1) ? g.mul(saved(0)) : null};
    }
}
