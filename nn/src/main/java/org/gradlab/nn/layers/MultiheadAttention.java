package org.gradlab.nn.layers;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.MultiHeadAttention;
import org.gradlab.nn.Module;
import org.gradlab.nn.init.Init;

/**
 * Multi-head self-attention, {@code torch.nn.MultiheadAttention(embed_dim, num_heads, bias=True,
 * batch_first)} called as {@code mha(x, x, x)} (the engine's {@code ops.MultiHeadAttention} has
 * the math). PyTorch's parameter names: "in_proj_weight" (3E, E), "in_proj_bias" (3E), and the
 * submodule "out_proj" (a Linear: "out_proj.weight" (E, E), "out_proj.bias" (E)). Init as
 * PyTorch: in_proj_weight xavier_uniform, both biases 0, out_proj.weight Linear's default.
 * No attention dropout, no masks.
 *
 * <p>{@link #forward} returns the output only; {@link #forwardWithWeights} also returns the
 * attention weights, averaged over the heads (N, T, T) when {@code averageAttnWeights} (PyTorch's
 * default {@code average_attn_weights=True}) or per head (N, heads, T, T). NOTE: the two take
 * different paths with the same math: {@link #forward} the packed attention op (faster; its weights
 * carry no gradient), {@link #forwardWithWeights} the composed ops,
 * whose weights take a gradient as PyTorch's do (a loss on the attention map reaches in_proj).
 */
public final class MultiheadAttention extends Module {
    public final int embedDim;
    public final int numHeads;
    public final boolean batchFirst;
    private final Linear outProj;

    /** The output and, per {@link #forwardWithWeights}, the attention weights. */
    public record Output(Tensor out, Tensor weights) {}

    public MultiheadAttention(int embedDim, int numHeads, boolean bias, boolean batchFirst, Generator gen) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim must be a positive multiple of num_heads, got "
                    + embedDim + " and " + numHeads);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        double bound = Math.sqrt(6.0 / (3 * embedDim + embedDim)); // xavier_uniform on (3E, E)
        registerParameter("in_proj_weight", Init.uniform(gen, -bound, bound, DType.F32, Device.CPU, 3 * embedDim, embedDim));
        if (bias) {
            registerParameter("in_proj_bias", Init.constant(0, DType.F32, Device.CPU, 3 * embedDim));
        }
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, bias, gen));
        if (bias) {
            outProj.bias().backend().elementwise().fill(outProj.bias(), 0);
        }
    }

    public MultiheadAttention(int embedDim, int numHeads, boolean batchFirst, Generator gen) {
        this(embedDim, numHeads, true, batchFirst, gen);
    }

    public MultiheadAttention(int embedDim, int numHeads, boolean batchFirst) {
        this(embedDim, numHeads, true, batchFirst, Init.defaultGenerator());
    }

    public Tensor inProjWeight() {
        return param("in_proj_weight");
    }

    public Tensor inProjBias() {
        return param("in_proj_bias");
    }

    public Linear outProj() {
        return outProj;
    }

    /** Self-attention of x: (N, T, E) when batch-first, else (T, N, E); the output has x's layout. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor nte = batchFirst ? x : x.transpose(0, 1);
        Tensor out = Functional.multiHeadSelfAttention(nte, numHeads, inProjWeight(), inProjBias(), outProj.weight(),
                outProj.bias()).out();
        return batchFirst ? out : out.transpose(0, 1);
    }

    /** The output and the attention weights, averaged over heads (N, T, T) or per head (N, heads, T, T). */
    public Output forwardWithWeights(Tensor x, boolean averageAttnWeights) {
        Tensor nte = batchFirst ? x : x.transpose(0, 1);
        MultiHeadAttention.Result r = Functional.multiHeadSelfAttentionWithWeightGradients(nte, numHeads, inProjWeight(),
                inProjBias(), outProj.weight(), outProj.bias());
        Tensor out = batchFirst ? r.out() : r.out().transpose(0, 1);
        return new Output(out, averageAttnWeights ? r.weights().mean(new int[] {1}, false) : r.weights());
    }

    @Override
    protected String describe() {
        return "(embed_dim=" + embedDim + ", num_heads=" + numHeads + ", batch_first=" + batchFirst + ")";
    }
}
