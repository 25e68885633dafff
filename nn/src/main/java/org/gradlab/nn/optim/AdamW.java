package org.gradlab.nn.optim;

import java.util.List;
import java.util.Map;
import org.gradlab.engine.Tensor;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter), PyTorch 1.13 semantics:
 * {@code p *= 1 - lr * wd} first, then the {@link Adam} update without the L2 term.
 * Default weight decay 0.01 (PyTorch's).
 */
public final class AdamW extends Adam {

    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01);
    }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(List.of(new ParamGroup(params)), defaults(lr, beta1, beta2, eps, weightDecay), true);
    }

    private AdamW(List<ParamGroup> groups, Map<String, Double> defaults) {
        super(groups, defaults, true);
    }

    public static AdamW withGroups(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new AdamW(groups, defaults(lr, beta1, beta2, eps, weightDecay));
    }
}
