package org.gradlab.engine.ops;

import java.util.List;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/** Joins tensors along an axis. The gradient of each part is its slice of g. */
@Derivative("d concat(x_1..x_k)/dx_i = g sliced to x_i's range along the axis")
public final class Concat extends Op {
    private int axis;
    private int[] starts;
    private int[] lengths;

    public static Tensor apply(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = parts.get(0);
        int ax = Shape.axis("concat", axis, first.dim());
        int[] outShape = first.shape();
        outShape[ax] = 0;
        int[] starts = new int[parts.size()];
        int[] lengths = new int[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            Tensor p = parts.get(i);
            Checks.sameDeviceAndDtype("concat", first, p);
            int[] s = p.shape();
            if (s.length != outShape.length) {
                throw new IllegalArgumentException("concat: tensor " + i + " has shape " + Shape.str(s)
                        + " but tensor 0 has shape " + Shape.str(first.shape()));
            }
            for (int d = 0; d < s.length; d++) {
                if (d != ax && s[d] != first.shape(d)) {
                    throw new IllegalArgumentException("concat: tensor " + i + " has shape " + Shape.str(s)
                            + ", which differs from tensor 0 " + Shape.str(first.shape()) + " outside axis " + ax);
                }
            }
            starts[i] = outShape[ax];
            lengths[i] = s[ax];
            outShape[ax] += s[ax];
        }
        Tensor out = Tensor.zeros(first.dtype(), first.device(), outShape);
        for (int i = 0; i < parts.size(); i++) {
            out.backend().elementwise().copyInto(narrow(out, ax, starts[i], lengths[i]), parts.get(i));
        }
        Tensor[] ins = parts.toArray(new Tensor[0]);
        if (Autograd.isRecording(ins)) {
            Concat op = new Concat();
            op.axis = ax;
            op.starts = starts;
            op.lengths = lengths;
            Autograd.record(op, out, ins);
        }
        return out;
    }

    /** A strided view of {@code length} entries of {@code t} along {@code axis} from {@code start}. */
    static Tensor narrow(Tensor t, int axis, int start, int length) {
        int[] s = t.shape();
        s[axis] = length;
        return t.view(s, t.strides(), t.offset() + (long) start * t.strides()[axis]);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor[] out = new Tensor[starts.length];
        for (int i = 0; i < out.length; i++) {
            if (needsGrad(i)) {
                out[i] = g.backend().elementwise().contiguous(narrow(g, axis, starts[i], lengths[i]));
            }
        }
        return out;
    }
}
