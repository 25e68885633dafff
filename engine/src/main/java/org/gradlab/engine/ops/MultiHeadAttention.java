package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;

/**
 * Multi-head self-attention of x (N, T, E) with h heads of d = E/h, as PyTorch's
 * {@code F.multi_head_attention_forward} for query = key = value (no mask, no dropout):
 * <pre>
 *   [q | k | v] = x W_inᵀ + b_in              W_in (3E, E), b_in (3E): q uses rows [0, E) of W_in, k [E, 2E), v [2E, 3E)
 *   q, k, v → (N, h, T, d)                    head i takes features [i·d, (i+1)·d)
 *   a = softmax(q kᵀ/√d) v                    per head (PackedAttention)
 *   out = concat_heads(a) W_outᵀ + b_out      W_out (E, E), b_out (E)
 * </pre>
 * Composed of ops (Linear, PackedAttention, Linear), so autograd derives the backward from
 * theirs. The attention weights are per head, (N, h, T, T); they carry no gradient (backward
 * runs from the output only).
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
        int e = x.shape(2);
        if (heads <= 0 || e % heads != 0) {
            throw new IllegalArgumentException("multi_head_attention: embed dim " + e + " must split into " + heads + " heads");
        }
        if (inProjWeight.dim() != 2 || inProjWeight.shape(0) != 3 * e || inProjWeight.shape(1) != e) {
            throw new IllegalArgumentException("multi_head_attention: in_proj_weight must be [" + 3 * e + "," + e + "], got "
                    + Shape.str(inProjWeight.shape()));
        }
        // NOTE: one in-projection GEMM makes q, k and v side by side, (N, T, 3E); PackedAttention reads the heads
        // in place and hands back one (N, T, 3E) gradient, so the projection's weight and input gradients are one
        // GEMM each (three projections from row blocks of W_in took three, and summed three input gradients)
        PackedAttention.Result a = PackedAttention.apply(Linear.apply(x, inProjWeight, inProjBias), heads);
        return new Result(Linear.apply(a.out(), outProjWeight, outProjBias), a.weights());
    }
}
