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
 * theirs. The attention weights are per head, (N, h, T, T).
 *
 * <p>NOTE: {@link #selfAttention}'s weights carry no gradient (PackedAttention's backward runs from
 * the output only); {@link #selfAttentionWithWeightGradients} is the same math composed of
 * Linear, Narrow, reshapes and {@link ScaledDotProductAttention}, whose weights are part of the
 * graph as PyTorch's are (a loss on the attention map trains the projections), at the cost of the
 * split and merge copies.
 */
public final class MultiHeadAttention {
    /** Output (N, T, E) and the per-head attention weights (N, h, T, T). */
    public record Result(Tensor out, Tensor weights) {}

    private MultiHeadAttention() {}

    /** {@code inProjBias}/{@code outProjBias} may be null; the weights carry no gradient. */
    public static Result selfAttention(Tensor x, int heads, Tensor inProjWeight, Tensor inProjBias, Tensor outProjWeight,
                                       Tensor outProjBias) {
        check(x, heads, inProjWeight);
        // NOTE: one in-projection GEMM makes q, k and v side by side, (N, T, 3E); PackedAttention reads the heads
        // in place and hands back one (N, T, 3E) gradient, so the projection's weight and input gradients are one
        // GEMM each (three projections from row blocks of W_in took three, and summed three input gradients)
        PackedAttention.Result a = PackedAttention.apply(Linear.apply(x, inProjWeight, inProjBias), heads);
        return new Result(Linear.apply(a.out(), outProjWeight, outProjBias), a.weights());
    }

    /** As {@link #selfAttention}, with attention weights that are part of the graph (they take a gradient). */
    public static Result selfAttentionWithWeightGradients(Tensor x, int heads, Tensor inProjWeight, Tensor inProjBias,
                                                          Tensor outProjWeight, Tensor outProjBias) {
        check(x, heads, inProjWeight);
        int n = x.shape(0);
        int t = x.shape(1);
        int e = x.shape(2);
        int d = e / heads;
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

    private static void check(Tensor x, int heads, Tensor inProjWeight) {
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
    }
}
