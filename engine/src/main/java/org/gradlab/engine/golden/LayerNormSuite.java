package org.gradlab.engine.golden;

import java.util.Map;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.LayerNorm;

/**
 * layernorm.npz: {@code F.layer_norm} over the last dim with weight and bias. eps per case from
 * {@code meta.eps} when present, else the table (MANIFEST-v2.json's values; a test keeps them equal).
 */
public final class LayerNormSuite extends OpSuite {
    /** eps of each case of the fixture. */
    public static final Map<String, Double> EPS = Map.of("ntd", 1e-6, "nd", 1e-5);

    public LayerNormSuite() {
        super("layernorm.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        Tensor x = d.param("x");
        Tensor w = d.param("weight");
        Tensor b = d.param("bias");
        Double known = EPS.get(d.caseName());
        if (known == null && !d.hasMeta("eps")) {
            d.fail("-", "no eps for this case (neither meta.eps nor LayerNormSuite.EPS)");
            return;
        }
        double eps = d.meta("eps", known == null ? 0 : known);
        Tensor out = LayerNorm.apply(x, w, b, eps);
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_x", x.grad());
        d.compare("grad_weight", w.grad());
        d.compare("grad_bias", b.grad());
    }
}
