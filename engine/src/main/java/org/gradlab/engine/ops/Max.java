package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * out = maximum of x over the given axes.
 *
 * <p>NOTE: the gradient goes entirely to the FIRST maximum (row-major) of each reduced block,
 * like PyTorch's {@code max(dim)} and max-pooling; PyTorch's {@code amax} would split it evenly.
 */
@Derivative("d max(x)/dx_i = 1 for the first maximal x_i of each block, else 0")
public final class Max extends Op {
    private int[] axes;
    private boolean keepdim;

    public static Tensor apply(Tensor x, int[] axes, boolean keepdim) {
        int[] ax = Axes.normalise("max", axes, x.dim());
        for (int a : ax) {
            if (x.shape(a) == 0) {
                throw new IllegalArgumentException("max: cannot reduce over empty axis " + a);
            }
        }
        Tensor out = x.backend().reduce().max(x, ax, keepdim);
        if (Autograd.isRecording(x)) {
            Max op = new Max();
            op.save(x);
            op.axes = ax;
            op.keepdim = keepdim;
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        return new Tensor[] {x.backend().reduce().maxBackward(g, x, axes, keepdim)};
    }
}
