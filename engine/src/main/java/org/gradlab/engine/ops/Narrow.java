package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * {@code length} consecutive elements of x along one axis, from {@code start} ({@code torch.narrow}):
 * a view, no copy. E.g. splitting a fused (…, 3E) projection into q, k and v.
 *
 * <p>dx = g placed at [start, start+length) along the axis, 0 elsewhere.
 */
@Derivative("d narrow(x)/dx: g scattered into zeros of x's shape at the narrowed positions")
public final class Narrow extends Op {
    private final int[] inShape;
    private final int axis;
    private final int start;

    private Narrow(int[] inShape, int axis, int start) {
        this.inShape = inShape;
        this.axis = axis;
        this.start = start;
    }

    public static Tensor apply(Tensor x, int axis, int start, int length) {
        int ax = Shape.axis("narrow", axis, x.dim());
        if (start < 0 || length < 0 || start + length > x.shape(ax)) {
            throw new IllegalArgumentException("narrow: [" + start + ", " + (start + length) + ") out of range for axis " + axis
                    + " of shape " + Shape.str(x.shape()));
        }
        Tensor out = view(x, ax, start, length);
        if (Autograd.isRecording(x)) {
            Autograd.record(new Narrow(x.shape(), ax, start), out, x);
        }
        return out;
    }

    private static Tensor view(Tensor x, int axis, int start, int length) {
        int[] shape = x.shape();
        shape[axis] = length;
        return x.view(shape, x.strides(), x.offset() + (long) start * x.strides()[axis]);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor gx = Tensor.zeros(g.dtype(), g.device(), inShape);
        gx.backend().elementwise().copyInto(view(gx, axis, start, g.shape(axis)), g);
        return new Tensor[] {gx};
    }
}
