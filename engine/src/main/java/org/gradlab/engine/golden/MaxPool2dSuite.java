package org.gradlab.engine.golden;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.MaxPool2d;

/** maxpool2d.npz: F.max_pool2d(x, k, s, p, return_indices=True); gradient to the FIRST maximum. */
public final class MaxPool2dSuite extends OpSuite {
    public MaxPool2dSuite() {
        super("maxpool2d.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        int[] win = CaseNames.window(d);
        Tensor x = d.param("x");
        Tensor out = MaxPool2d.apply(x, win[0], win[1], win[2]);
        d.compare("out", out);
        if (d.has("indices")) {
            d.compare("indices", MaxPool2d.indices(x.detach(), win[0], win[1], win[2]).to(x.dtype()));
        }
        out.backward(d.upstream(out));
        d.compare("grad_x", x.grad());
    }
}
