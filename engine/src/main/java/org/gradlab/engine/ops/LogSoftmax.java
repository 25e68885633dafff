package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * y[i,c] = x[i,c] − log Σ_k exp(x[i,k]) over the last dim of x (N, C), computed max-subtracted
 * (x − max − log Σ exp(x − max)) so large logits do not overflow.
 *
 * <p>dx = g − exp(y)·Σ_c g (softmax times the row sum of the upstream gradient).
 */
@Derivative("d log_softmax(x)/dx: dx = g - exp(y) * sum_c(g)")
public final class LogSoftmax extends Op {
    public static Tensor apply(Tensor x) {
        Checks.rank("log_softmax", "input", x, 2);
        Tensor out = x.backend().loss().logSoftmax(x);
        if (Autograd.isRecording(x)) {
            LogSoftmax op = new LogSoftmax();
            op.save(out.detach());
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor y = saved(0);
        return new Tensor[] {y.backend().loss().logSoftmaxBackward(g, y)};
    }
}
