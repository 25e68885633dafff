package org.gradlab.engine.autograd;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.Tensor;

/**
 * One node of the autograd graph: the op that produced a tensor, its inputs, and what its
 * backward needs (saved with {@link #save}).
 *
 * <p>Subclasses implement {@link #backward(Tensor)}: given the gradient of the output, return
 * one gradient per input (null where {@link #needsGrad(int)} is false). A gradient may have the
 * broadcast shape of the output: {@link Autograd} sums it back to the input's shape in one place.
 */
public abstract class Op {
    private Tensor[] inputs;
    private Tensor output;
    private final List<Tensor> saved = new ArrayList<>();
    private final List<Tensor> owned = new ArrayList<>();
    private boolean released;
    private boolean gradOutOwned;
    private long sequence;
    private String scope = "";

    /** Stores a tensor for backward; returns its slot. */
    protected final int save(Tensor t) {
        saved.add(t);
        return saved.size() - 1;
    }

    /**
     * Stores for backward a tensor that nothing but this op reads (a backend's intermediate kept
     * from the forward, e.g. conv's im2col matrix): its memory is released as soon as the op's
     * saved tensors are (after its backward, unless the graph is retained), not when the step's
     * {@code MemoryScope} closes. Returns its slot.
     */
    protected final int saveOwned(Tensor t) {
        owned.add(t);
        return save(t);
    }

    /** A tensor saved by {@link #save}; fails clearly after the graph was freed by a backward. */
    protected final Tensor saved(int slot) {
        if (released) {
            throw new IllegalStateException(name() + ": trying to backward through the graph a second time (or to read "
                    + "saved tensors after they were freed). Pass retainGraph=true to the first backward() "
                    + "if you need to backward twice.");
        }
        return saved.get(slot);
    }

    protected final boolean needsGrad(int input) {
        Tensor t = inputs[input];
        return t != null && t.requiresGrad();
    }

    /**
     * True while {@link #backward} runs with a gradOut that the backward loop hands over to be
     * overwritten: nothing else reads it afterwards (the ownership rule of {@code GradientSums}:
     * a contiguous CPU tensor whose storage is not the caller's upstream, a retained gradient,
     * anything a hook saw, nor shared with another pending gradient; no listener watching, no
     * retained graph). The op may then write ONE input's gradient into gradOut's storage and
     * return it for that input. NOTE: it must not also return gradOut, or a view of it, for another
     * input (an add hands its gradOut to both); ops that never look behave as before.
     */
    protected final boolean ownsGradOut() {
        return gradOutOwned;
    }

    protected final Tensor input(int i) {
        return inputs[i];
    }

    protected abstract Tensor[] backward(Tensor gradOut);

    // ---------------------------------------------------------------- graph bookkeeping

    final void attach(Tensor out, Tensor[] ins, long seq, String scope) {
        this.output = out;
        this.inputs = ins;
        this.sequence = seq;
        this.scope = scope;
    }

    /** {@code owned}: gradOut may be overwritten ({@link #ownsGradOut}). */
    final Tensor[] backwardChecked(Tensor gradOut, boolean owned) {
        if (released) {
            saved(0); // throws the retain-graph message
        }
        gradOutOwned = owned;
        try {
            return backward(gradOut);
        } finally {
            gradOutOwned = false;
        }
    }

    final void release() {
        released = true;
        saved.clear();
        for (Tensor t : owned) {
            t.release();
        }
        owned.clear();
    }

    public final Tensor[] inputs() {
        return inputs.clone();
    }

    public final Tensor output() {
        return output;
    }

    public final long sequence() {
        return sequence;
    }

    /** The module path (e.g. {@code features.4}) that was running when this op was recorded, or "". */
    public final String scope() {
        return scope;
    }

    public boolean isReleased() {
        return released;
    }

    /** The tensors held for backward (empty after release). */
    public final List<Tensor> savedTensors() {
        return List.copyOf(saved);
    }

    /** Bytes held for backward (the saved-tensor ledger). */
    public long savedBytes() {
        long b = 0;
        for (Tensor t : saved) {
            b += t.bytes();
        }
        return b;
    }

    public String name() {
        return getClass().getSimpleName();
    }

    /** The derivative rule from the {@link Derivative} annotation, or "" when absent. */
    public String derivativeRule() {
        Derivative d = getClass().getAnnotation(Derivative.class);
        return d == null ? "" : d.value();
    }
}
