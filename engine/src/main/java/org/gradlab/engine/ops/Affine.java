package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = scale * x + shift for scalars scale and shift (scalar multiply and add).
 *
 * <p>d(scale*x + shift)/dx = scale
 */
@Derivative("d(scale*x + shift)/dx = scale")
public final class Affine extends Op {
    private double scale;

    public static Tensor apply(Tensor x, double scale, double shift) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.AFFINE, x, scale, shift);
        if (Autograd.isRecording(x)) {
            Affine op = new Affine();
            op.scale = scale;
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {scale == 1 ? g : g.mul(scale)};
    }
}
