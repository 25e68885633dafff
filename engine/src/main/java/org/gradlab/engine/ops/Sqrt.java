package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = sqrt(x).
 *
 * <p>d(sqrt x)/dx = 1/(2 sqrt x) = 0.5/out
 */
@Derivative("d(sqrt x)/dx = 1/(2 sqrt x) = 0.5/out")
public final class Sqrt extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.SQRT, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Sqrt op = new Sqrt();
            op.save(out);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.div(saved(0)).mul(0.5)};
    }
}
