package org.gradlab.engine.ops;

import java.util.Arrays;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * out = a @ b (2-D, or batched over leading dimensions with NumPy broadcasting of the batch dims,
 * like {@code torch.matmul}: (B1,B2,M,K) @ (K,N), (B,M,K) @ (B,K,N), (B1,1,M,K) @ (B2,K,N)...).
 * A 2-D side is shared by every batch (one GEMM over the folded rows where the layout allows);
 * batch dims that differ otherwise are broadcast by a copy of the smaller side before the GEMMs.
 *
 * <p>dA = g @ B^T, dB = A^T @ g, both with the broadcast batch shape; the central un-broadcasting
 * sums them back to each input's shape (a shared 2-D side's gradient is the sum over the batch).
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
        Tensor out = sameBatch(a, b) ? a.backend().matmul().matmul(a, b) : broadcastMatmul(a, b);
        if (Autograd.isRecording(a, b)) {
            Matmul op = new Matmul();
            op.save(a);
            op.save(b);
            Autograd.record(op, out, a, b);
        }
        return out;
    }

    /** Whether the backend takes the pair as is: a 2-D side, or equal batch dims. */
    private static boolean sameBatch(Tensor a, Tensor b) {
        return a.dim() == 2 || b.dim() == 2 || Arrays.equals(batchDims(a), batchDims(b));
    }

    private static int[] batchDims(Tensor t) {
        return Arrays.copyOf(t.shape(), t.dim() - 2);
    }

    /** Both sides copied to the broadcast batch shape (not recorded: the op's inputs stay a and b). */
    private static Tensor broadcastMatmul(Tensor a, Tensor b) {
        int[] batch = Shape.broadcast("matmul (batch dims of " + Shape.str(a.shape()) + " @ " + Shape.str(b.shape()) + ")",
                batchDims(a), batchDims(b));
        return a.backend().matmul().matmul(expandBatch(a, batch), expandBatch(b, batch));
    }

    private static Tensor expandBatch(Tensor t, int[] batch) {
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = t.shape(-2);
        shape[batch.length + 1] = t.shape(-1);
        if (Arrays.equals(shape, t.shape())) {
            return t;
        }
        Tensor e = Tensor.uninitialized(t.dtype(), t.device(), shape);
        t.backend().elementwise().copyInto(e, t);
        return e;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor a = saved(0);
        Tensor b = saved(1);
        Tensor ga = null;
        if (needsGrad(0)) {
            ga = isTransposedView(a) ? b.matmul(g.transpose(-1, -2)).transpose(-1, -2) : g.matmul(b.transpose(-1, -2));
        }
        Tensor gb = null;
        if (needsGrad(1)) {
            if (b.dim() == 2 && a.dim() > 2) {
                // shared right side: sum over the batch in one GEMM by folding batch into rows
                int k = a.shape(-1);
                int n = g.shape(-1);
                gb = a.reshape(-1, k).transpose(0, 1).matmul(g.reshape(-1, n));
            } else if (isTransposedView(b)) {
                gb = g.transpose(-1, -2).matmul(a).transpose(-1, -2);
            } else {
                gb = a.transpose(-1, -2).matmul(g);
            }
        }
        return new Tensor[] {ga, gb};
    }

    /**
     * Whether t is stored with its last two axes swapped (stride 1 on axis −2), as attention's kᵀ is.
     * NOTE: such an operand gets its gradient as the transposed view of a GEMM result laid out like
     * t's storage (dBᵀ = gᵀA rather than dB = Aᵀg, as PyTorch's mm backward does), so the transpose
     * and permute backwards that follow hand on views with contiguous rows, not a gradient whose
     * copy reads one float per cache line.
     */
    private static boolean isTransposedView(Tensor t) {
        return t.shape(-1) > 1 && t.shape(-2) > 1 && t.strides()[t.dim() - 2] == 1 && t.strides()[t.dim() - 1] != 1;
    }
}
