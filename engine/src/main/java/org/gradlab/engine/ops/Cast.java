package org.gradlab.engine.ops;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/** out = x converted to another dtype. The gradient is converted back. */
@Derivative("d cast(x)/dx = 1 (gradient cast back to x's dtype)")
public final class Cast extends Op {
    private DType from;

    public static Tensor apply(Tensor x, DType to) {
        Tensor out = x.backend().elementwise().cast(x, to);
        if (Autograd.isRecording(x)) {
            Cast op = new Cast();
            op.from = x.dtype();
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.backend().elementwise().cast(g, from)};
    }
}
