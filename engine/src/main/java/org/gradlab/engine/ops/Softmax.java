package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * y = exp(x − max) / Σ_k exp(x − max) along one axis (any axis; negative counts from the end),
 * max-subtracted so large inputs do not overflow (the result is the same).
 *
 * <p>dy_i/dx_j = y_i·([i = j] − y_j), so dx_j = Σ_i g_i·y_i·([i = j] − y_j) = y_j·(g_j − Σ_i g_i·y_i).
 */
@Derivative("d softmax(x)/dx: dx = y * (g - sum_axis(g * y))")
public final class Softmax extends Op {
    private final int axis;

    private Softmax(int axis) {
        this.axis = axis;
    }

    public static Tensor apply(Tensor x, int axis) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException("softmax: input must be at least 1-D, got shape " + Shape.str(x.shape()));
        }
        int ax = Shape.axis("softmax", axis, x.dim());
        Tensor out = x.backend().rows().softmax(x, ax);
        if (Autograd.isRecording(x)) {
            Softmax op = new Softmax(ax);
            op.save(out.detach());
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor y = saved(0);
        return new Tensor[] {y.backend().rows().softmaxBackward(g, y, axis)};
    }
}
