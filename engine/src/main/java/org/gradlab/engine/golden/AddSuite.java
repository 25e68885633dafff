package org.gradlab.engine.golden;

import org.gradlab.engine.Tensor;

/** add.npz: broadcasting a + b ({@code mul_*} cases: a · b); grad_b sums over broadcast dims. */
public final class AddSuite extends OpSuite {
    public AddSuite() {
        super("add.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        Tensor a = d.param("a");
        Tensor b = d.param("b");
        boolean mul = d.meta("mul", d.caseName().startsWith("mul") ? 1 : 0) != 0;
        Tensor out = mul ? a.mul(b) : a.add(b);
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_a", a.grad());
        d.compare("grad_b", b.grad());
    }
}
