package org.gradlab.nn.optim;

import java.util.List;
import java.util.Map;
import org.gradlab.engine.Tensor;

/**
 * Stochastic gradient descent with momentum, PyTorch 1.13 single-tensor semantics:
 *
 * <pre>
 * g = grad + wd * p                                (if wd != 0)
 * buf = g                       at the first step  (if momentum != 0; NOTE: no dampening at t=1)
 * buf = momentum * buf + (1 - dampening) * g       afterwards
 * g = nesterov ? g + momentum * buf : buf
 * p -= lr * g
 * </pre>
 *
 * Hyper-parameter keys: {@code lr, momentum, dampening, nesterov (0/1), weight_decay}; state
 * buffer {@code momentum_buffer}.
 */
public final class SGD extends Optimizer {

    public SGD(List<Tensor> params, double lr) {
        this(params, lr, 0, 0, false, 0);
    }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        this(List.of(new ParamGroup(params)), defaults(lr, momentum, dampening, nesterov, weightDecay));
    }

    private SGD(List<ParamGroup> groups, Map<String, Double> defaults) {
        super(groups, defaults);
        for (ParamGroup g : groups) {
            if (g.get("nesterov") != 0 && (g.get("momentum") <= 0 || g.get("dampening") != 0)) {
                throw new IllegalArgumentException("SGD: nesterov momentum requires a momentum and zero dampening");
            }
            if (g.lr() < 0 || g.get("momentum") < 0 || g.get("weight_decay") < 0) {
                throw new IllegalArgumentException("SGD: lr, momentum and weight_decay must be >= 0, got " + g.options());
            }
        }
    }

    /** SGD over several parameter groups; keys a group leaves unset take these defaults. */
    public static SGD withGroups(List<ParamGroup> groups, double lr, double momentum, double dampening, boolean nesterov,
                                 double weightDecay) {
        return new SGD(groups, defaults(lr, momentum, dampening, nesterov, weightDecay));
    }

    private static Map<String, Double> defaults(double lr, double momentum, double dampening, boolean nesterov, double wd) {
        return Map.of("lr", lr, "momentum", momentum, "dampening", dampening, "nesterov", nesterov ? 1.0 : 0.0, "weight_decay", wd);
    }

    @Override
    protected void update(ParamGroup grp, Tensor p, Tensor grad, ParamState st) {
        double momentum = grp.get("momentum");
        Tensor buf = null;
        boolean first = false;
        if (momentum != 0) {
            buf = st.buffers.get("momentum_buffer");
            if (buf == null) {
                buf = persistentZerosLike(p);
                st.buffers.put("momentum_buffer", buf);
                first = true;
            }
        }
        p.backend().optim().sgdStep(p, grad, buf, grp.lr(), momentum, grp.get("dampening"), grp.get("nesterov") != 0,
                grp.get("weight_decay"), first);
    }
}
