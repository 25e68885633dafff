package org.gradlab.engine.golden;

import java.util.Map;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.MultiHeadAttention;
import org.gradlab.engine.ops.ScaledDotProductAttention;

/**
 * attention.npz: {@code sdpa} = softmax(q kᵀ/√d) v on (N, heads, T, d); {@code mha_*} =
 * {@code nn.MultiheadAttention(E, heads, batch_first=True)(x, x, x)} with its per-head attention
 * weights. The head count per case is the table below (MANIFEST-v2.json's values; a test keeps
 * them equal), or {@code meta.heads} when present.
 */
public final class AttentionSuite extends OpSuite {
    /** Heads of each multi-head case. */
    public static final Map<String, Integer> HEADS = Map.of("mha_self", 3);

    public AttentionSuite() {
        super("attention.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        if (d.has("q")) {
            Tensor q = d.param("q");
            Tensor k = d.param("k");
            Tensor v = d.param("v");
            Tensor out = ScaledDotProductAttention.apply(q, k, v);
            d.compare("out", out);
            out.backward(d.upstream(out));
            d.compare("grad_q", q.grad());
            d.compare("grad_k", k.grad());
            d.compare("grad_v", v.grad());
            return;
        }
        Integer heads = HEADS.get(d.caseName());
        if (heads == null && !d.hasMeta("heads")) {
            d.fail("-", "no head count for this case (neither meta.heads nor AttentionSuite.HEADS)");
            return;
        }
        Tensor x = d.param("x");
        Tensor inW = d.param("in_proj_weight");
        Tensor inB = d.param("in_proj_bias");
        Tensor outW = d.param("out_proj_weight");
        Tensor outB = d.param("out_proj_bias");
        var r = MultiHeadAttention.selfAttention(x, (int) d.meta("heads", heads == null ? 0 : heads), inW, inB, outW, outB);
        d.compare("out", r.out());
        d.compare("attn_weights", r.weights());
        r.out().backward(d.upstream(r.out()));
        d.compare("grad_x", x.grad());
        d.compare("grad_in_proj_weight", inW.grad());
        d.compare("grad_in_proj_bias", inB.grad());
        d.compare("grad_out_proj_weight", outW.grad());
        d.compare("grad_out_proj_bias", outB.grad());
    }
}
