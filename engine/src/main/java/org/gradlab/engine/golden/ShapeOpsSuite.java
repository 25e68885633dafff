package org.gradlab.engine.golden;

import java.util.Map;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Linear;
import org.gradlab.engine.ops.Softmax;

/**
 * activations.npz, the cases that are not element-wise activations: {@code softmax_*} (softmax
 * along a dim), {@code matmul_*} ({@code torch.matmul} with batch broadcasting) and
 * {@code linear_3d} ({@code F.linear} on (N, T, E)). The element-wise cases of the same file
 * belong to another suite. The softmax dim per case is the table below (MANIFEST-v2.json's
 * values; a test keeps them equal), or {@code meta.dim} when present.
 */
public final class ShapeOpsSuite extends OpSuite {
    /** Softmax dim of each softmax case. */
    public static final Map<String, Integer> SOFTMAX_DIM = Map.of("softmax_last3d", -1, "softmax_last4d", -1, "softmax_dim1", 1);

    public ShapeOpsSuite() {
        super("activations.npz");
    }

    @Override
    protected boolean handles(String caseName) {
        return caseName.startsWith("softmax") || caseName.startsWith("matmul") || caseName.startsWith("linear");
    }

    @Override
    protected void runCase(CaseData d) {
        String c = d.caseName();
        if (c.startsWith("softmax")) {
            Integer dim = SOFTMAX_DIM.get(c);
            if (dim == null && !d.hasMeta("dim")) {
                d.fail("-", "no softmax dim for this case (neither meta.dim nor ShapeOpsSuite.SOFTMAX_DIM)");
                return;
            }
            Tensor x = d.param("x");
            Tensor out = Softmax.apply(x, (int) d.meta("dim", dim == null ? 0 : dim));
            d.compare("out", out);
            out.backward(d.upstream(out));
            d.compare("grad_x", x.grad());
        } else if (c.startsWith("matmul")) {
            Tensor a = d.param("a");
            Tensor b = d.param("b");
            Tensor out = a.matmul(b);
            d.compare("out", out);
            out.backward(d.upstream(out));
            d.compare("grad_a", a.grad());
            d.compare("grad_b", b.grad());
        } else {
            Tensor x = d.param("x");
            Tensor w = d.param("weight");
            Tensor b = d.has("bias") ? d.param("bias") : null;
            Tensor out = Linear.apply(x, w, b);
            d.compare("out", out);
            out.backward(d.upstream(out));
            d.compare("grad_x", x.grad());
            d.compare("grad_weight", w.grad());
            if (b != null) {
                d.compare("grad_bias", b.grad());
            }
        }
    }
}
