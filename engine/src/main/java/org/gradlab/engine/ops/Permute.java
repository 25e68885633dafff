package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/** Reorders axes: out.shape[i] = x.shape[axes[i]]. A strided view, no copy. */
@Derivative("d permute(x, p)/dx = permute(g, inverse(p))")
public final class Permute extends Op {
    private int[] inverse;

    public static Tensor apply(Tensor x, int... axes) {
        int r = x.dim();
        if (axes.length != r) {
            throw new IllegalArgumentException("permute: got " + axes.length + " axes for a tensor of rank " + r
                    + " (shape " + Shape.str(x.shape()) + ")");
        }
        int[] shape = x.shape();
        int[] strides = x.strides();
        int[] ns = new int[r];
        int[] nst = new int[r];
        int[] inv = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int a = Shape.axis("permute", axes[i], r);
            if (seen[a]) {
                throw new IllegalArgumentException("permute: axis " + a + " repeated in " + Shape.str(axes));
            }
            seen[a] = true;
            ns[i] = shape[a];
            nst[i] = strides[a];
            inv[a] = i;
        }
        Tensor out = x.view(ns, nst, x.offset());
        if (Autograd.isRecording(x)) {
            Permute op = new Permute();
            op.inverse = inv;
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.permute(inverse)};
    }
}
