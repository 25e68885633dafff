package org.gradlab.engine.golden;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.Conv2d;

/** conv2d.npz: F.conv2d(x, weight, bias, stride, padding, groups); {@code dw_*} cases are depthwise (groups = Cin). */
public final class Conv2dSuite extends OpSuite {
    public Conv2dSuite() {
        super("conv2d.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        int[] win = CaseNames.window(d);
        Tensor x = d.param("x");
        Tensor w = d.param("weight");
        Tensor b = d.has("bias") ? d.param("bias") : null;
        int groups = (int) d.meta("groups", d.caseName().startsWith("dw_") ? x.shape(1) : 1);
        Tensor out = Conv2d.apply(x, w, b, win[1], win[2], groups);
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_x", x.grad());
        d.compare("grad_weight", w.grad());
        if (b != null) {
            d.compare("grad_bias", b.grad());
        }
    }
}
