package org.gradlab.engine.golden;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Linear;

/** linear.npz: out = x @ weight^T + bias (bias optional). */
public final class LinearSuite extends OpSuite {
    public LinearSuite() {
        super("linear.npz");
    }

    @Override
    protected void runCase(CaseData d) {
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
