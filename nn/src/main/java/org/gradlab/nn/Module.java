package org.gradlab.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;

/**
 * Base class of every layer and model: named parameters, buffers and child modules, with
 * PyTorch's dotted state-dict names.
 *
 * <p>Order: a module's own parameters (registration order), then its own buffers, then each
 * child (registration order) recursively — exactly {@code torch.nn.Module.state_dict()}'s order.
 * {@link #namedParameters()} follows the same order without buffers.
 *
 * <p>NOTE: parameters and buffers are persistent state: they are allocated inside
 * {@link MemoryScope#persistent()} and every later change (loading, optimizer steps, running
 * statistics) writes into them IN PLACE, so references held by optimizers stay valid.
 * Replacing a child with {@link #registerModule} keeps its position in the order (as assigning
 * {@code model.fc = ...} does in PyTorch).
 *
 * <p>Length: over 400 lines on purpose. It is {@code torch.nn.Module}'s surface in one place
 * (registration, traversal, state dict, train/eval, gradients, device and dtype moves), so a layer
 * author reads one class; the parts share the same ordered registries.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> integerBuffers = new LinkedHashSet<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private String path = "";

    /** Runs the module on {@code x}. */
    public abstract Tensor forward(Tensor x);

    /**
     * Runs {@link #forward} with this module's dotted path (e.g. {@code features.4}) as the
     * autograd scope, so the ops it records know their layer (graph view, saved-tensor ledger,
     * health report). Parents call their children through this.
     */
    public final Tensor call(Tensor x) {
        if (path.isEmpty()) {
            return forward(x);
        }
        try (Autograd.ScopeHandle s = Autograd.scope(path)) {
            return forward(x);
        }
    }

    /** This module's dotted name inside the root model ("" for the root). */
    public String path() {
        return path;
    }

    private void setPath(String p) {
        this.path = p;
        for (Map.Entry<String, Module> c : children.entrySet()) {
            c.getValue().setPath(p.isEmpty() ? c.getKey() : p + "." + c.getKey());
        }
    }

    // ------------------------------------------------------------------ registration

    /** Registers {@code t} as a trainable leaf parameter (requiresGrad true). */
    protected Tensor registerParameter(String name, Tensor t) {
        checkName(name);
        t.requiresGrad(true);
        params.put(name, t);
        return t;
    }

    /** Registers a float buffer (e.g. BatchNorm running statistics); follows {@link #to(DType)}. */
    protected Tensor registerBuffer(String name, Tensor t) {
        checkName(name);
        buffers.put(name, t);
        return t;
    }

    /**
     * Registers a buffer that holds an integer count (PyTorch int64, e.g. num_batches_tracked),
     * stored as a float64 scalar that keeps its dtype under {@link #to(DType)}.
     */
    protected Tensor registerIntegerBuffer(String name, Tensor t) {
        registerBuffer(name, t);
        integerBuffers.add(name);
        return t;
    }

    /** Adds or replaces child {@code name}; a replacement keeps the original position. */
    public <M extends Module> M registerModule(String name, M m) {
        checkName(name);
        children.put(name, m);
        ((Module) m).setPath(path.isEmpty() ? name : path + "." + name);
        return m;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module attribute name must be non-empty and contain no '.', got '" + name + "'");
        }
    }

    /** Own parameter {@code name} (not recursive), or null. */
    protected Tensor param(String name) {
        return params.get(name);
    }

    protected Tensor buffer(String name) {
        return buffers.get(name);
    }

    /** Direct child {@code name}, or null. */
    public Module child(String name) {
        return children.get(name);
    }

    /** Direct children in registration order. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** The sub-module at a dotted path ("layer1.0.conv1"); "" is this module. */
    public Module submodule(String path) {
        Module m = this;
        if (path.isEmpty()) {
            return m;
        }
        for (String part : path.split("\\.")) {
            Module c = m.children.get(part);
            if (c == null) {
                throw new IllegalArgumentException("no sub-module '" + path + "' (missing '" + part + "' in "
                        + m.getClass().getSimpleName() + ", children " + m.children.keySet() + ")");
            }
            m = c;
        }
        return m;
    }

    // ------------------------------------------------------------------ traversal

    /** Every parameter with its dotted name, in PyTorch's order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters whose requiresGrad is set (what an optimizer should update). */
    public List<Tensor> trainableParameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : parameters()) {
            if (t.requiresGrad()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Number of trainable parameter elements ({@code sum(p.numel() for p if p.requires_grad)}). */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : trainableParameters()) {
            n += t.numel();
        }
        return n;
    }

    /** Number of parameter elements, frozen ones included. */
    public long totalParameterCount() {
        long n = 0;
        for (Tensor t : parameters()) {
            n += t.numel();
        }
        return n;
    }

    /** Every buffer with its dotted name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> all = stateDict();
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<String> p = namedParameters().keySet();
        all.forEach((k, v) -> {
            if (!p.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Every module with its dotted name ("" = this one), pre-order as {@code named_modules()}. */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        walk("", out);
        return out;
    }

    private void walk(String prefix, Map<String, Module> out) {
        out.put(prefix, this);
        children.forEach((n, c) -> c.walk(prefix.isEmpty() ? n : prefix + "." + n, out));
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
        params.forEach((n, t) -> out.put(prefix + n, t));
        if (withBuffers) {
            buffers.forEach((n, t) -> out.put(prefix + n, t));
        }
        children.forEach((n, c) -> c.collect(prefix + n + ".", out, withBuffers));
    }

    // ------------------------------------------------------------------ state dict

    /**
     * Parameters and buffers by dotted name, in PyTorch's order. The values are the module's own
     * tensors (like PyTorch's detached references): copy them if you need a snapshot.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    /**
     * Copies {@code state} into this module's parameters and buffers in place (values are
     * converted to each target's dtype and device).
     *
     * <p>strict: every key must be present, no unexpected keys, and every shape must match;
     * otherwise an {@link IllegalArgumentException} lists the missing keys, unexpected keys and
     * shape mismatches (nothing is copied). Non-strict: matching keys are copied, missing and
     * unexpected ones are ignored, but a shape mismatch is still an error (as in PyTorch).
     * A one-element tensor matches a 0-d one (npz stores scalars with shape (1,)).
     *
     * @return the keys that were missing and unexpected (empty lists when everything matched)
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!sameShape(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + Shape.str(src.shape()) + " vs model "
                        + Shape.str(e.getValue().shape()));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("loadStateDict(" + getClass().getSimpleName() + ", strict=" + strict + ") failed:");
            if (!missing.isEmpty()) {
                sb.append("\n  missing keys: ").append(missing);
            }
            if (!unexpected.isEmpty()) {
                sb.append("\n  unexpected keys: ").append(unexpected);
            }
            if (!mismatched.isEmpty()) {
                sb.append("\n  size mismatch: ").append(mismatched);
            }
            throw new IllegalArgumentException(sb.toString());
        }
        try (MemoryScope scope = MemoryScope.open()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src == null) {
                    continue;
                }
                Tensor dst = e.getValue();
                Tensor s = src.detach().to(dst.device()).to(dst.dtype()).reshape(dst.shape());
                dst.backend().elementwise().copyInto(dst, s);
            }
        }
        afterLoad();
        return new LoadResult(missing, unexpected);
    }

    /** Strict {@link #loadStateDict(Map, boolean)}. */
    public LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    /** Hook for modules that mirror buffer values on the host (called after loading). */
    protected void afterLoad() {
        children.values().forEach(Module::afterLoad);
    }

    /** Keys that did not match in a non-strict load. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    private static boolean sameShape(int[] a, int[] b) {
        if (Arrays.equals(a, b)) {
            return true;
        }
        return Shape.numel(a) == 1 && Shape.numel(b) == 1 && a.length <= 1 && b.length <= 1;
    }

    // ------------------------------------------------------------------ modes and gradients

    /** Training mode (BatchNorm uses batch statistics, Dropout drops), recursively. */
    public Module train() {
        return train(true);
    }

    public Module train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        return this;
    }

    /** Evaluation mode, recursively. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Stops gradients for every parameter of this module and its children. */
    public Module freeze() {
        return requiresGrad(false);
    }

    public Module unfreeze() {
        return requiresGrad(true);
    }

    /** Sets requiresGrad on every parameter (recursively). */
    public Module requiresGrad(boolean flag) {
        for (Tensor t : parameters()) {
            t.requiresGrad(flag);
        }
        return this;
    }

    /**
     * Zeroes every parameter's gradient in place (PyTorch's {@code zero_grad(set_to_none=False)}):
     * the gradient memory is kept for the next backward. A parameter without a gradient keeps none.
     */
    public void zeroGrad() {
        for (Tensor t : parameters()) {
            t.zeroGrad();
        }
    }

    // ------------------------------------------------------------------ device / dtype

    /**
     * Moves every parameter and buffer to {@code device} (new persistent tensors; gradients dropped).
     * NOTE: like {@link #to(DType)} this replaces the tensors when a copy is needed, so build the
     * optimizer AFTER moving the model (a no-op move keeps the same tensors).
     */
    public Module to(Device device) {
        return convert(t -> t.to(device), false);
    }

    /** Converts every parameter and float buffer to {@code dtype}; integer buffers stay float64. */
    public Module to(DType dtype) {
        return convert(t -> t.to(dtype), true);
    }

    private Module convert(java.util.function.UnaryOperator<Tensor> f, boolean skipInteger) {
        try (MemoryScope p = MemoryScope.persistent()) {
            convertHere(f, skipInteger);
        }
        return this;
    }

    private void convertHere(java.util.function.UnaryOperator<Tensor> f, boolean skipInteger) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            Tensor t = e.getValue();
            boolean rg = t.requiresGrad();
            Tensor n = f.apply(t.detach());
            if (n.storage() == t.storage()) {
                continue;
            }
            n = n.detach();
            n.requiresGrad(rg);
            e.setValue(n);
        }
        for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
            if (skipInteger && integerBuffers.contains(e.getKey())) {
                continue;
            }
            e.setValue(f.apply(e.getValue().detach()).detach());
        }
        children.values().forEach(c -> c.convertHere(f, skipInteger));
    }

    /** Device of the first parameter or buffer (CPU when there is none). */
    public Device device() {
        for (Tensor t : stateDict().values()) {
            return t.device();
        }
        return Device.CPU;
    }

    /** Dtype of the first parameter (F32 when there is none). */
    public DType dtype() {
        for (Tensor t : parameters()) {
            return t.dtype();
        }
        return DType.F32;
    }

    @Override
    public String toString() {
        return toString("");
    }

    private String toString(String indent) {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append(describe());
        if (!children.isEmpty()) {
            sb.append("(\n");
            children.forEach((n, c) -> sb.append(indent).append("  (").append(n).append("): ")
                    .append(c.toString(indent + "  ")).append('\n'));
            sb.append(indent).append(')');
        }
        return sb.toString();
    }

    /** Short constructor arguments for {@link #toString()}, e.g. "(3, 8, k=3)". */
    protected String describe() {
        return "";
    }
}
