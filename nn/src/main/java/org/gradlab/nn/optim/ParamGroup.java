package org.gradlab.nn.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Tensor;

/**
 * A list of parameters sharing hyper-parameters (PyTorch's {@code param_groups} entry).
 *
 * <p>Hyper-parameters are named doubles: {@code lr} always; SGD adds {@code momentum},
 * {@code dampening}, {@code nesterov} (0/1), {@code weight_decay}; Adam/AdamW add {@code beta1},
 * {@code beta2}, {@code eps}, {@code weight_decay}. Keys a group does not set are filled from the
 * optimizer's defaults when the group is handed to the optimizer. Schedulers also store
 * {@code initial_lr} (and OneCycle {@code max_lr}, {@code min_lr}, {@code max_momentum},
 * {@code base_momentum}) here, as PyTorch does.
 *
 * <pre>{@code
 * new SGD(List.of(new ParamGroup(backbone), new ParamGroup(head).set("lr", 0.1)), 0.01, 0.9, 0, false, 0);
 * }</pre>
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private final Map<String, Double> options = new LinkedHashMap<>();

    public ParamGroup(List<Tensor> params) {
        this.params = List.copyOf(params);
    }

    public List<Tensor> params() {
        return params;
    }

    public double lr() {
        return get("lr");
    }

    public void setLr(double lr) {
        options.put("lr", lr);
    }

    /** SGD's {@code momentum}, or Adam's {@code beta1} (the value OneCycleLR cycles). */
    public double momentum() {
        return has("beta1") ? get("beta1") : get("momentum");
    }

    public void setMomentum(double m) {
        options.put(has("beta1") ? "beta1" : "momentum", m);
    }

    public boolean has(String key) {
        return options.containsKey(key);
    }

    public double get(String key) {
        Double v = options.get(key);
        if (v == null) {
            throw new IllegalArgumentException("param group has no hyper-parameter '" + key + "' (has " + options.keySet() + ")");
        }
        return v;
    }

    public ParamGroup set(String key, double value) {
        options.put(key, value);
        return this;
    }

    /** A read-only view of the hyper-parameters. */
    public Map<String, Double> options() {
        return Collections.unmodifiableMap(options);
    }

    void fillDefaults(Map<String, Double> defaults) {
        defaults.forEach(options::putIfAbsent);
    }
}
