package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = x^p for a scalar exponent p.
 *
 * <p>d(x^p)/dx = p * x^(p-1)
 */
@Derivative("d(x^p)/dx = p * x^(p-1)")
public final class Pow extends Op {
    private double p;

    public static Tensor apply(Tensor x, double p) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.POW, x, p, 0);
        if (Autograd.isRecording(x)) {
            Pow op = new Pow();
            op.save(x);
            op.p = p;
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.mul(saved(0).pow(p - 1)).mul(p)};
    }
}
