package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * Same elements in row-major order, new shape (one dimension may be -1). A view without copy
 * when the input is contiguous. The gradient is reshaped back.
 */
@Derivative("d reshape(x)/dx: reshape the gradient back to x's shape")
public final class Reshape extends Op {
    private int[] inShape;

    public static Tensor apply(Tensor x, int... newShape) {
        int[] shape = resolve(x, newShape);
        Tensor c = x.isContiguous() ? x : x.backend().elementwise().contiguous(x);
        Tensor out = c.view(shape, Shape.contiguousStrides(shape), c.offset());
        if (Autograd.isRecording(x)) {
            Reshape op = new Reshape();
            op.inShape = x.shape();
            Autograd.record(op, out, x);
        }
        return out;
    }

    private static int[] resolve(Tensor x, int[] newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension may be -1, got " + Shape.str(newShape));
                }
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + s[i] + " in " + Shape.str(newShape));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " (" + x.numel()
                        + " elements) into " + Shape.str(newShape));
            }
            s[infer] = (int) (x.numel() / known);
        }
        if (Shape.numel(s) != x.numel()) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(x.shape()) + " (" + x.numel()
                    + " elements) into " + Shape.str(newShape) + " (" + Shape.numel(s) + " elements)");
        }
        return s;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.reshape(inShape)};
    }
}
