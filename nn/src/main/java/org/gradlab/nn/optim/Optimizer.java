package org.gradlab.nn.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;

/**
 * Base of the optimizers: parameter groups, per-parameter state, {@link #step()} and
 * {@link #zeroGrad()}, and a state dict for resuming training.
 *
 * <p>Updates are IN PLACE on each parameter's storage; per-parameter state (momentum buffers,
 * Adam moments) is allocated once in {@link MemoryScope#persistent()} and updated in place.
 * Temporaries of one step live in a {@link MemoryScope} that {@link #step()} opens and closes,
 * and every op runs under {@link GradMode#noGrad()}.
 *
 * <p>Each optimizer's update is one fused kernel of the backend seam
 * ({@code backend.optim()}), so it runs on any backend in one pass over memory. Parameters whose {@code grad()} is null are skipped (their
 * state and step count do not advance), as in PyTorch.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups;
    private final Map<String, Double> defaults;
    private final Map<Tensor, ParamState> state = new IdentityHashMap<>();

    /** Per-parameter state: step count and named buffers. */
    protected static final class ParamState {
        long step;
        final Map<String, Tensor> buffers = new LinkedHashMap<>();

        public long step() {
            return step;
        }

        public Tensor buffer(String name) {
            return buffers.get(name);
        }

        /** Named buffers (mutable: subclasses in other packages register their state here). */
        public Map<String, Tensor> buffers() {
            return buffers;
        }
    }

    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults) {
        if (groups.stream().allMatch(g -> g.params().isEmpty())) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        this.groups = List.copyOf(groups);
        this.defaults = Map.copyOf(defaults);
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (ParamGroup g : this.groups) {
            g.fillDefaults(defaults);
            for (Tensor p : g.params()) {
                if (seen.put(p, Boolean.TRUE) != null) {
                    throw new IllegalArgumentException("some parameters appear in more than one parameter group");
                }
            }
        }
    }

    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** The optimizer-wide defaults (names as in {@link ParamGroup}). */
    public Map<String, Double> defaults() {
        return defaults;
    }

    /** Zeroes every parameter gradient in place (PyTorch's {@code zero_grad(set_to_none=False)}): no new gradient memory per step. */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                p.zeroGrad();
            }
        }
    }

    /** One update of every parameter that has a gradient. */
    public void step() {
        try (GradMode ng = GradMode.noGrad(); MemoryScope tmp = MemoryScope.open()) {
            for (ParamGroup g : groups) {
                for (Tensor p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    if (!Arrays.equals(grad.shape(), p.shape()) || grad.dtype() != p.dtype()) {
                        throw new IllegalStateException(getClass().getSimpleName() + ": gradient " + Shape.str(grad.shape())
                                + " " + grad.dtype() + " does not match parameter " + Shape.str(p.shape()) + " " + p.dtype());
                    }
                    ParamState st = state.computeIfAbsent(p, k -> new ParamState());
                    st.step++;
                    update(g, p, grad, st);
                }
            }
        }
    }

    /** Updates {@code p} in place; {@code st.step} was already incremented (1 on the first call). */
    protected abstract void update(ParamGroup g, Tensor p, Tensor grad, ParamState st);

    /** The state of {@code p}, or null before its first step. */
    protected ParamState state(Tensor p) {
        return state.get(p);
    }

    /** A persistent zero tensor shaped like {@code p} (allocated outside every step scope). */
    protected static Tensor persistentZerosLike(Tensor p) {
        try (MemoryScope ps = MemoryScope.persistent()) {
            return Tensor.zeros(p.dtype(), p.device(), p.shape());
        }
    }

    /** A persistent copy of {@code src}. */
    protected static Tensor persistentCopy(Tensor src) {
        Tensor t = persistentZerosLike(src);
        t.backend().elementwise().copyInto(t, src);
        return t;
    }

    /** A step-scoped contiguous copy of {@code t} (so in-place kernels can write into it). */
    protected static Tensor copy(Tensor t) {
        return t.backend().elementwise().contiguous(t);
    }

    // ------------------------------------------------------------------ state dict

    /**
     * Optimizer state as tensors: {@code state.<i>.step} (F64 scalar), {@code state.<i>.<buffer>}
     * (the live buffers, not copies) where {@code i} numbers parameters across groups in order,
     * and {@code param_groups.<g>.<hyper-parameter>} (F64 scalars) so scheduler-changed learning
     * rates resume too. Can be saved with {@code SafeTensors.save}.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int i = 0;
        for (ParamGroup g : groups) {
            for (Tensor p : g.params()) {
                ParamState st = state.get(p);
                if (st != null) {
                    out.put("state." + i + ".step", Tensor.of(new double[] {st.step}, 1));
                    for (Map.Entry<String, Tensor> b : st.buffers.entrySet()) {
                        out.put("state." + i + "." + b.getKey(), b.getValue());
                    }
                }
                i++;
            }
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            for (Map.Entry<String, Double> e : groups.get(gi).options().entrySet()) {
                out.put("param_groups." + gi + "." + e.getKey(), Tensor.of(new double[] {e.getValue()}, 1));
            }
        }
        return out;
    }

    /**
     * Restores what {@link #stateDict()} produced for an optimizer over parameters of the same
     * shapes in the same order. Buffers are copied into persistent tensors of each parameter's
     * dtype/device (existing buffers are overwritten in place); parameters absent from
     * {@code sd} lose their state, as in PyTorch.
     */
    public void loadStateDict(Map<String, Tensor> sd) {
        List<Tensor> flat = new ArrayList<>();
        groups.forEach(g -> flat.addAll(g.params()));
        Map<Integer, ParamState> loaded = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            String[] parts = e.getKey().split("\\.", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("optimizer state dict: unexpected key '" + e.getKey() + "'");
            }
            int idx = parseIndex(e.getKey(), parts[1]);
            if (parts[0].equals("param_groups")) {
                if (idx >= groups.size()) {
                    throw new IllegalArgumentException("optimizer state dict: key '" + e.getKey() + "' names group " + idx
                            + " but this optimizer has " + groups.size() + " groups");
                }
                groups.get(idx).set(parts[2], e.getValue().item());
                continue;
            }
            if (!parts[0].equals("state")) {
                throw new IllegalArgumentException("optimizer state dict: unexpected key '" + e.getKey() + "'");
            }
            if (idx >= flat.size()) {
                throw new IllegalArgumentException("optimizer state dict: key '" + e.getKey() + "' names parameter " + idx
                        + " but this optimizer has " + flat.size() + " parameters");
            }
            Tensor p = flat.get(idx);
            ParamState st = loaded.computeIfAbsent(idx, k -> new ParamState());
            if (parts[2].equals("step")) {
                st.step = Math.round(e.getValue().item());
            } else {
                Tensor v = e.getValue();
                if (!Arrays.equals(v.shape(), p.shape())) {
                    throw new IllegalArgumentException("optimizer state dict: '" + e.getKey() + "' has shape " + Shape.str(v.shape())
                            + " but parameter " + idx + " has shape " + Shape.str(p.shape()));
                }
                Tensor old = state.containsKey(p) ? state.get(p).buffers.get(parts[2]) : null;
                Tensor dst = old != null ? old : persistentZerosLike(p);
                try (GradMode ng = GradMode.noGrad()) {
                    dst.backend().elementwise().copyInto(dst, v.device() == p.device() ? v.to(p.dtype()) : v.to(p.device()).to(p.dtype()));
                }
                st.buffers.put(parts[2], dst);
            }
        }
        state.clear(); // like PyTorch: the loaded state replaces all state
        loaded.forEach((idx, st) -> state.put(flat.get(idx), st));
    }

    private static int parseIndex(String key, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("optimizer state dict: key '" + key + "' has no numeric index");
        }
    }
}
