package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * out = a @ b (2-D, or batched over leading dimensions; a 2-D side is shared by every batch).
 *
 * <p>dA = g @ B^T, dB = A^T @ g (a shared 2-D side's gradient is summed over the batch by the
 * central un-broadcasting).
 */
@Derivative("d(A@B)/dA = g @ B^T, d(A@B)/dB = A^T @ g")
public final class Matmul extends Op {
    public static Tensor apply(Tensor a, Tensor b) {
        Checks.sameDeviceAndDtype("matmul", a, b);
        if (a.dim() < 2 || b.dim() < 2) {
            throw new IllegalArgumentException("matmul: both operands must be at least 2-D, got " + Shape.str(a.shape())
                    + " and " + Shape.str(b.shape()));
        }
        if (a.shape(-1) != b.shape(-2)) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shape.str(a.shape()) + " @ "
                    + Shape.str(b.shape()) + " (" + a.shape(-1) + " vs " + b.shape(-2) + ")");
        }
        Tensor out = a.backend().matmul().matmul(a, b);
        if (Autograd.isRecording(a, b)) {
            Matmul op = new Matmul();
            op.save(a);
            op.save(b);
            Autograd.record(op, out, a, b);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor a = saved(0);
        Tensor b = saved(1);
        Tensor ga = needsGrad(0) ? g.matmul(b.transpose(-1, -2)) : null;
        Tensor gb = null;
        if (needsGrad(1)) {
            if (b.dim() == 2 && a.dim() > 2) {
                // shared right side: sum over the batch in one GEMM by folding batch into rows
                int k = a.shape(-1);
                int n = g.shape(-1);
                gb = a.reshape(-1, k).transpose(0, 1).matmul(g.reshape(-1, n));
            } else {
                gb = a.transpose(-1, -2).matmul(g);
            }
        }
        return new Tensor[] {ga, gb};
    }
}
