package org.gradlab.engine.golden;

import java.util.Map;
import java.util.Optional;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.check.OpCases;
import org.gradlab.engine.ops.Linear;
import org.gradlab.engine.ops.Softmax;

/**
 * activations.npz: every case named after a one-input op of {@link OpCases} ({@code sigmoid},
 * {@code silu}, {@code gelu}, {@code gelu_tanh}, ...) runs that op's function on {@code x}:
 * {@code out}, then {@code grad_x} for the stored {@code grad_out}. A new elementwise op is
 * checked here as soon as its case is registered under the fixture's case name.
 *
 * <p>The file's other cases: {@code softmax_*} (softmax along the dim of {@link #SOFTMAX_DIM},
 * MANIFEST-v2.json's values, a test keeps them equal; or {@code meta.dim}), {@code matmul_*}
 * ({@code torch.matmul} with batch broadcasting: a @ b and both gradients) and {@code linear*}
 * ({@code F.linear} on N-D input). Cases with no code here are listed as not checked.
 */
public final class ActivationsSuite extends OpSuite {
    /** Softmax dim of each softmax case. */
    public static final Map<String, Integer> SOFTMAX_DIM = Map.of("softmax_last3d", -1, "softmax_last4d", -1, "softmax_dim1", 1);

    public ActivationsSuite() {
        super("activations.npz");
    }

    private static Optional<OpCases.Case> unaryOp(String caseName) {
        return OpCases.all().stream().filter(k -> k.op().equals(caseName) && k.inputs().size() == 1).findFirst();
    }

    @Override
    protected boolean handles(String caseName) {
        return unaryOp(caseName).isPresent() || caseName.startsWith("softmax") || caseName.startsWith("matmul")
                || caseName.startsWith("linear");
    }

    @Override
    protected void runCase(CaseData d) {
        String c = d.caseName();
        Optional<OpCases.Case> op = unaryOp(c);
        if (op.isPresent()) {
            Tensor x = d.param("x");
            Tensor out = op.get().f().apply(new Tensor[] {x});
            d.compare("out", out);
            out.backward(d.upstream(out));
            d.compare("grad_x", x.grad());
        } else if (c.startsWith("softmax")) {
            softmax(d);
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

    private static void softmax(CaseData d) {
        Integer dim = SOFTMAX_DIM.get(d.caseName());
        if (dim == null && !d.hasMeta("dim")) {
            d.fail("-", "no softmax dim for this case (neither meta.dim nor ActivationsSuite.SOFTMAX_DIM)");
            return;
        }
        Tensor x = d.param("x");
        Tensor out = Softmax.apply(x, (int) d.meta("dim", dim == null ? 0 : dim));
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_x", x.grad());
    }
}
