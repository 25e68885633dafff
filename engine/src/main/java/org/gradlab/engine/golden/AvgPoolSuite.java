package org.gradlab.engine.golden;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.AdaptiveAvgPool2d;
import org.gradlab.engine.ops.AvgPool2d;

/**
 * avgpool.npz: {@code avg_*} = F.avg_pool2d(x, k, s, p, count_include_pad = case ends in
 * {@code incpad} or has no padding); {@code adaptive1*} = F.adaptive_avg_pool2d(x, 1).
 */
public final class AvgPoolSuite extends OpSuite {
    public AvgPoolSuite() {
        super("avgpool.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        Tensor x = d.param("x");
        Tensor out;
        if (d.caseName().startsWith("adaptive")) {
            out = AdaptiveAvgPool2d.apply(x, 1, 1);
        } else {
            int[] win = CaseNames.window(d);
            boolean includePad = d.meta("count_include_pad", d.caseName().contains("excpad") ? 0 : 1) != 0;
            out = AvgPool2d.apply(x, win[0], win[1], win[2], includePad);
        }
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_x", x.grad());
    }
}
