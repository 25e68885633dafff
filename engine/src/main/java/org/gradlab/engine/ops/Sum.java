package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * out = sum of x over the given axes (keepdim keeps them as size 1).
 *
 * <p>d out/dx = 1 for every summed element: the gradient is g broadcast back over the axes.
 */
@Derivative("d sum(x)/dx_i = 1: broadcast g back over the summed axes")
public final class Sum extends Op {
    private int[] inShape;
    private int[] keptShape;

    public static Tensor apply(Tensor x, int[] axes, boolean keepdim) {
        int[] ax = Axes.normalise("sum", axes, x.dim());
        Tensor out = x.backend().reduce().sum(x, ax, keepdim);
        if (Autograd.isRecording(x)) {
            Sum op = new Sum();
            op.inShape = x.shape();
            op.keptShape = Axes.keptShape(x.shape(), ax);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gk = g.reshape(keptShape);
        Tensor out = Tensor.zeros(g.dtype(), g.device(), inShape);
        out.backend().elementwise().copyInto(out, gk);
        return new Tensor[] {out};
    }
}
