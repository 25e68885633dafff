package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;

/**
 * Multi-head self-attention of x (N, T, E) with h heads of d = E/h, as PyTorch's
 * {@code F.multi_head_attention_forward} for query = key = value (no mask, no dropout):
 * <pre>
 *   [q | k | v] = x W_inᵀ + b_in              W_in (3E, E), b_in (3E): q uses rows [0, E) of W_in, k [E, 2E), v [2E, 3E)
 *   q, k, v → (N, h, T, d)                    head i takes features [i·d, (i+1)·d)
 *   a = softmax(q kᵀ/√d) v                    per head (ScaledDotProductAttention)
 *   out = concat_heads(a) W_outᵀ + b_out      W_out (E, E), b_out (E)
 * </pre>
 * Composed of ops (Linear, Narrow, reshapes/permutes, ScaledDotProductAttention), so autograd
 * derives the backward from theirs. The attention weights are per head, (N, h, T, T).
 */
public final class MultiHeadAttention {
    /** Output (N, T, E) and the per-head attention weights (N, h, T, T). */
    public record Result(Tensor out, Tensor weights) {}

    private MultiHeadAttention() {}

    /** {@code inProjBias}/{@code outProjBias} may be null. */
    public static Result selfAttention(Tensor x, int heads, Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight,
                                       Tensor outProjBias) {
        if (x.dim() != 3) {
            throw new IllegalArgumentException("multi_head_attention: input must be (N, T, E), got " + Shape.str(x.shape()));
        }
        int n = x.shape(0);
        int t = x.shape(1);
        int e = x.shape(2);
        if (heads <= 0 || e % heads != 0) {
            throw new IllegalArgumentException("multi_head_attention: embed dim " + e + " must split into " + heads + " heads");
        }
        if (inProjWeight.dim() != 2 || inProjWeight.shape(0) != 3 * e || inProjWeight.shape(1) != e) {
            throw new IllegalArgumentException("multi_head_attention: in_proj_weight must be [" + 3 * e + "," + e + "], got "
                    + Shape.str(inProjWeight.shape()));
        }
        int d = e / heads;
        // NOTE: q, k and v are projected with row blocks of W_in (views) rather than one GEMM whose
        // (N, T, 3E) result is split: each projection is then contiguous, so the head split is a view,
        // and backward scatters only W_in-sized gradients instead of three (N, T, 3E) ones
        Tensor[] parts = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            Tensor w = Narrow.apply(inProjWeight, 0, i * e, e);
            Tensor b = inProjBias == null ? null : Narrow.apply(inProjBias, 0, i * e, e);
            parts[i] = Linear.apply(x, w, b).reshape(n, t, heads, d).permute(0, 2, 1, 3);
        }
        ScaledDotProductAttention.Result a = ScaledDotProductAttention.withWeights(parts[0], parts[1], parts[2]);
        Tensor merged = a.out().permute(0, 2, 1, 3).reshape(n, t, e);
        return new Result(Linear.apply(merged, outProjWeight, outProjBias), a.weights());
    }
}
