package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.MatmulKernels;

/**
 * Multi-head attention of q, k and v packed side by side in one (N, T, 3E) tensor, as the
 * in-projection of self-attention makes them: q = features [0, E), k = [E, 2E), v = [2E, 3E);
 * h heads of d = E/h, head i taking features [i·d, (i+1)·d) of each. Per sample and head, with
 * (T, d) matrices q, k, v:
 * <pre>
 *   s = q kᵀ / √d,   p = softmax(s) over the last dim,   out = p v
 * </pre>
 * out is (N, T, E) with head i in features [i·d, (i+1)·d) (the heads concatenated). Backward,
 * with upstream g (N, T, E) read per head as (T, d):
 * <pre>
 *   dv = pᵀ g
 *   dp = g vᵀ
 *   ds = p · (dp − Σ_j dp·p)        (softmax backward, per row)
 *   dq = ds k / √d,   dk = dsᵀ q / √d
 * </pre>
 * dq, dk and dv form one (N, T, 3E) gradient laid out like the input, so the in-projection's
 * weight and input gradients are one GEMM each.
 *
 * <p>NOTE: every head's q, k, v and g is read in place as a strided (T, d) matrix (row stride
 * 3E or E) and every product is written in place the same way (the GEMM's output leading
 * dimension): no head split, head merge or gradient concatenation copies. The 1/√d is the
 * scores GEMM's alpha (PyTorch 1.13 scales q first: the same bits when √d is a power of two, as
 * ViT-Tiny's d = 64, otherwise one rounding apart). The attention weights p are returned for
 * inspection and carry no gradient.
 */
@Derivative("dv = p^T g, dp = g v^T, ds = p*(dp - sum_j dp*p), dq = ds k/sqrt(d), dk = ds^T q/sqrt(d)")
public final class PackedAttention extends Op {
    /** The output (N, T, E) and the attention weights p (N, h, T, T). */
    public record Result(Tensor out, Tensor weights) {}

    private final int heads;

    private PackedAttention(int heads) {
        this.heads = heads;
    }

    public static Result apply(Tensor qkv, int heads) {
        if (qkv.dim() != 3 || qkv.shape(2) % 3 != 0 || heads <= 0 || qkv.shape(2) / 3 % heads != 0) {
            throw new IllegalArgumentException("packed_attention: expected q, k, v packed as (N, T, 3E) with E a multiple of "
                    + heads + " heads, got " + Shape.str(qkv.shape()));
        }
        Tensor packed = qkv.isContiguous() ? qkv : qkv.backend().elementwise().contiguous(qkv);
        int n = packed.shape(0);
        int t = packed.shape(1);
        int e = packed.shape(2) / 3;
        MatmulKernels mm = packed.backend().matmul();
        Tensor scores = Tensor.uninitialized(packed.dtype(), packed.device(), n, heads, t, t);
        mm.matmulInto(scores, headView(packed, 0, e, heads), headView(packed, e, e, heads).transpose(-2, -1), scale(e, heads));
        Tensor p = packed.backend().rows().softmax(scores, 3);
        scores.release();
        Tensor out = Tensor.uninitialized(packed.dtype(), packed.device(), n, t, e);
        mm.matmulInto(headView(out, 0, e, heads), p, headView(packed, 2 * e, e, heads), 1);
        if (Autograd.isRecording(qkv)) {
            PackedAttention op = new PackedAttention(heads);
            op.save(packed.detach());
            op.save(p);
            Autograd.record(op, out, qkv);
        }
        return new Result(out, p);
    }

    private static double scale(int e, int heads) {
        return 1.0 / Math.sqrt(e / heads);
    }

    /** Features [from, from + e) of x (N, T, ·) as (N, h, T, d): head i is features [from + i·d, from + (i+1)·d). A view. */
    private static Tensor headView(Tensor x, int from, int e, int heads) {
        int[] st = x.strides();
        int d = e / heads;
        return x.view(new int[] {x.shape(0), heads, x.shape(1), d}, new int[] {st[0], d * st[2], st[1], st[2]},
                x.offset() + (long) from * st[2]);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor packed = saved(0);
        Tensor p = saved(1);
        int e = packed.shape(2) / 3;
        double scale = scale(e, heads);
        MatmulKernels mm = packed.backend().matmul();
        Tensor gh = headView(g, 0, e, heads);
        Tensor q = headView(packed, 0, e, heads);
        Tensor k = headView(packed, e, e, heads);
        Tensor v = headView(packed, 2 * e, e, heads);
        Tensor gx = Tensor.uninitialized(packed.dtype(), packed.device(), packed.shape());
        mm.matmulInto(headView(gx, 2 * e, e, heads), p.transpose(-2, -1), gh, 1);
        Tensor dp = mm.matmul(gh, v.transpose(-2, -1));
        Tensor ds = p.backend().rows().softmaxBackward(dp, p, 3);
        dp.release();
        mm.matmulInto(headView(gx, 0, e, heads), ds, k, scale);
        mm.matmulInto(headView(gx, e, e, heads), ds.transpose(-2, -1), q, scale);
        ds.release();
        return new Tensor[] {gx};
    }
}
