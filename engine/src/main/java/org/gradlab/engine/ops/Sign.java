package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.UnaryFn;

/** sign(x) in {-1, 0, 1}; not differentiable (a helper for other ops' backward). */
public final class Sign {
    private Sign() {}

    public static Tensor of(Tensor x) {
        return x.backend().elementwise().unary(UnaryFn.SIGN, x, 0, 0);
    }
}
