package org.gradlab.nn.optim;

import java.util.List;
import java.util.Map;
import org.gradlab.engine.Tensor;

/**
 * Adam (Kingma &amp; Ba) with L2 weight decay, PyTorch 1.13 single-tensor semantics (t = step, from 1):
 *
 * <pre>
 * g = grad + wd * p                         (L2; AdamW instead decays p, see {@link AdamW})
 * m = b1 * m + (1 - b1) * g
 * v = b2 * v + (1 - b2) * g^2
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * Keys: {@code lr, beta1, beta2, eps, weight_decay}; buffers {@code exp_avg}, {@code exp_avg_sq}
 * (zero-initialised). NOTE: eps is added AFTER the bias correction of sqrt(v), as PyTorch does.
 *
 * <p>The update is one fused pass per parameter ({@code backend.optim().adamStep}): an earlier
 * version composed it from elementwise kernels and took ~9 passes over memory (figures:
 * bench/README.md, "Figures behind design choices").
 */
public class Adam extends Optimizer {
    private final boolean decoupled;

    public Adam(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        this(List.of(new ParamGroup(params)), defaults(lr, beta1, beta2, eps, weightDecay), false);
    }

    Adam(List<ParamGroup> groups, Map<String, Double> defaults, boolean decoupled) {
        super(groups, defaults);
        this.decoupled = decoupled;
        for (ParamGroup g : groups) {
            double b1 = g.get("beta1");
            double b2 = g.get("beta2");
            if (g.lr() < 0 || g.get("eps") < 0 || b1 < 0 || b1 >= 1 || b2 < 0 || b2 >= 1 || g.get("weight_decay") < 0) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": invalid hyper-parameters " + g.options()
                        + " (need lr, eps, weight_decay >= 0 and 0 <= beta < 1)");
            }
        }
    }

    /** Adam over several parameter groups; keys a group leaves unset take these defaults. */
    public static Adam withGroups(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay) {
        return new Adam(groups, defaults(lr, beta1, beta2, eps, weightDecay), false);
    }

    static Map<String, Double> defaults(double lr, double beta1, double beta2, double eps, double wd) {
        return Map.of("lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weight_decay", wd);
    }

    @Override
    protected void update(ParamGroup grp, Tensor p, Tensor grad, ParamState st) {
        double lr = grp.lr();
        double b1 = grp.get("beta1");
        double b2 = grp.get("beta2");
        double wd = grp.get("weight_decay");
        Tensor m = st.buffers.get("exp_avg");
        if (m == null) {
            st.buffers.put("exp_avg", persistentZerosLike(p));
            st.buffers.put("exp_avg_sq", persistentZerosLike(p));
            m = st.buffers.get("exp_avg");
        }
        Tensor v = st.buffers.get("exp_avg_sq");
        p.backend().optim().adamStep(p, grad, m, v, lr, b1, b2, grp.get("eps"), wd, st.step, decoupled);
    }
}
