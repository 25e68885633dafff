package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;

/**
 * Attention(q, k, v) = softmax(q kᵀ / √d) v over the last two dims of q (…, Tq, d), k (…, Tk, d)
 * and v (…, Tk, dv), batched over the leading dims (PyTorch's {@code scaled_dot_product_attention}
 * without mask or dropout). Composed of ops (Matmul, Mul by a constant, Softmax), so the backward
 * is theirs; written out, with s = q kᵀ/√d, p = softmax(s), out = p v and upstream g:
 * <pre>
 *   dv = pᵀ g
 *   dp = g vᵀ
 *   ds = p · (dp − Σ_j dp·p)        (softmax backward, per row)
 *   dq = ds k / √d,   dk = dsᵀ q / √d
 * </pre>
 * NOTE: the scale multiplies q before the product, as PyTorch 1.13's attention does: q has
 * T·d elements where the scores have T·T, and the scaled q is a fresh contiguous operand for the GEMM
 * (a permuted head view of q would otherwise be copied there).
 */
public final class ScaledDotProductAttention {
    /** The attention output and the attention weights p (…, Tq, Tk). */
    public record Result(Tensor out, Tensor weights) {}

    private ScaledDotProductAttention() {}

    public static Tensor apply(Tensor q, Tensor k, Tensor v) {
        return withWeights(q, k, v).out();
    }

    public static Result withWeights(Tensor q, Tensor k, Tensor v) {
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.shape(-1) != k.shape(-1) || k.shape(-2) != v.shape(-2)) {
            throw new IllegalArgumentException("scaled_dot_product_attention: expected q (..., Tq, d), k (..., Tk, d), "
                    + "v (..., Tk, dv), got q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v " + Shape.str(v.shape()));
        }
        Tensor scores = q.mul(1.0 / Math.sqrt(q.shape(-1))).matmul(k.transpose(-2, -1));
        Tensor p = Softmax.apply(scores, -1);
        return new Result(p.matmul(v), p);
    }
}
