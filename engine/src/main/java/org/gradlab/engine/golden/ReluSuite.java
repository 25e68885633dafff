package org.gradlab.engine.golden;

import org.gradlab.engine.Tensor;

/** relu.npz: out = max(x, 0), grad_x = grad_out·[x > 0] (x holds exact zeros). */
public final class ReluSuite extends OpSuite {
    public ReluSuite() {
        super("relu.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        Tensor x = d.param("x");
        Tensor out = x.relu();
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_x", x.grad());
    }
}
