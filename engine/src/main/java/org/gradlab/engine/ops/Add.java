package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;

/**
 * out = a + b, with NumPy broadcasting.
 *
 * <p>d(a+b)/da = 1, d(a+b)/db = 1
 */
@Derivative("d(a+b)/da = 1, d(a+b)/db = 1")
public final class Add extends Op {

    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDeviceAndDtype("add", a, b);
        Tensor out = a.backend().elementwise().binary(BinaryFn.ADD, a, b);
        if (Autograd.isRecording(a, b)) {
            Add op = new Add();

            Autograd.record(op, out, a, b);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {needsGrad(0) ? g : null, needsGrad(1) ? g : null};
    }
}
