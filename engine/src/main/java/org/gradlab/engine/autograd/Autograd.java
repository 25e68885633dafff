package org.gradlab.engine.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Storage;
import org.gradlab.engine.Tensor;

/**
 * The tape: ops {@linkplain #record record} themselves on their outputs, and
 * {@link #backward} replays them in reverse topological order.
 *
 * <p>The ONE place where broadcast gradients are summed back to their input's shape is
 * {@link #unbroadcast}; ops never do it themselves.
 */
public final class Autograd {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final ThreadLocal<boolean[]> ANOMALY = ThreadLocal.withInitial(() -> new boolean[1]);
    private static final ThreadLocal<Deque<String>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<List<BackwardListener>> LISTENERS = ThreadLocal.withInitial(ArrayList::new);

    private Autograd() {}

    /** Ends a {@link #scope(String)}; closing never throws. */
    public interface ScopeHandle extends AutoCloseable {
        @Override
        void close();
    }

    /** Observes backward node by node (the step-through tool and the health report use it). */
    public interface BackwardListener {
        /** Called after {@code op}'s backward ran: its upstream gradient and its input gradients (after un-broadcasting). */
        void onNode(Op op, Tensor gradOut, Tensor[] gradIns, int[][] unbroadcastAxes);

        /**
         * Called when a gradient is accumulated into a leaf: right after the {@link #onNode} of the
         * op that produced that gradient, so a listener printing both shows each accumulation
         * under the node it came from.
         */
        default void onLeaf(Tensor leaf, Tensor grad) {}
    }

    public static void addListener(BackwardListener l) {
        LISTENERS.get().add(l);
    }

    public static void removeListener(BackwardListener l) {
        LISTENERS.get().remove(l);
    }

    /**
     * Names the module whose forward is running, so recorded ops know their layer (the graph
     * view and the saved-tensor ledger group by it). Close the returned handle when the forward ends.
     */
    public static ScopeHandle scope(String name) {
        Deque<String> s = SCOPES.get();
        s.push(name);
        return s::pop;
    }

    /**
     * Anomaly mode (PyTorch's {@code detect_anomaly}): every recorded op's output and every
     * gradient in backward is checked, and the first non-finite value stops with an
     * {@link ArithmeticException} naming the op and the layer (module scope) that produced it.
     * Costs one pass over every tensor; off by default.
     */
    public static void setAnomalyDetection(boolean on) {
        ANOMALY.get()[0] = on;
    }

    public static boolean isAnomalyDetection() {
        return ANOMALY.get()[0];
    }

    private static void checkFinite(Tensor t, String what, Op op) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new ArithmeticException("anomaly: " + what + " of " + op.name()
                        + (op.scope().isEmpty() ? "" : " in layer " + op.scope()) + " has " + v[i] + " at element " + i
                        + " (shape " + Shape.str(t.shape()) + ")");
            }
        }
    }

    /** True when an op over these inputs must be recorded. */
    public static boolean isRecording(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** Links {@code op} into the graph as the producer of {@code out}; returns {@code out}. */
    public static Tensor record(Op op, Tensor out, Tensor... inputs) {
        Deque<String> scopes = SCOPES.get();
        op.attach(out, inputs, SEQUENCE.incrementAndGet(), scopes.isEmpty() ? "" : scopes.peek());
        out.setGradFn(op);
        OpProfiler.stamp(OpProfiler.FORWARD, op);
        if (ANOMALY.get()[0]) {
            checkFinite(out, "the output", op);
        }
        return out;
    }

    /**
     * Sums {@code grad} over the dimensions that broadcasting added or stretched, so that it
     * gets {@code shape}. Returns the gradient and, in {@code axesOut[0]}, the summed axes.
     */
    public static Tensor unbroadcast(Tensor grad, int[] shape, int[][] axesOut) {
        int[] gs = grad.shape();
        if (Arrays.equals(gs, shape)) {
            axesOut[0] = new int[0];
            return grad;
        }
        int lead = gs.length - shape.length;
        if (lead < 0) {
            throw new IllegalStateException("gradient of shape " + Shape.str(gs) + " cannot be reduced to " + Shape.str(shape));
        }
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) {
                axes.add(i);
            } else if (shape[i - lead] != gs[i]) {
                throw new IllegalStateException("gradient of shape " + Shape.str(gs) + " does not broadcast to " + Shape.str(shape));
            }
        }
        int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
        axesOut[0] = ax;
        Tensor summed = grad.backend().reduce().sum(grad, ax, true);
        return summed.reshape(shape);
    }

    /**
     * Runs backward from {@code root}. {@code upstream} may be null for a one-element root
     * (gradient 1). Without {@code retainGraph} the saved tensors of every visited op are
     * released, and a second backward through them fails with a clear message.
     */
    public static void backward(Tensor root, Tensor upstream, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward(): tensor does not require grad and has no gradFn");
        }
        if (upstream == null) {
            if (root.numel() != 1) {
                throw new IllegalStateException("backward() without an upstream gradient needs a one-element tensor; got shape "
                        + Shape.str(root.shape()) + ". Pass a gradient of that shape.");
            }
            upstream = Tensor.full(root.dtype(), root.device(), 1.0, root.shape());
        } else if (!Arrays.equals(upstream.shape(), root.shape())) {
            throw new IllegalArgumentException("backward(): upstream gradient has shape " + Shape.str(upstream.shape())
                    + " but the tensor has shape " + Shape.str(root.shape()));
        }
        try (GradMode ng = GradMode.noGrad()) {
            if (root.gradFn() == null) {
                accumulateLeaf(root, upstream);
                return;
            }
            List<Op> order = topologicalOrder(root.gradFn());
            Map<Op, Tensor> pending = new IdentityHashMap<>();
            pending.put(root.gradFn(), upstream);
            List<BackwardListener> listeners = LISTENERS.get();
            // storages that must outlive this backward: the caller's upstream, retained grads, what hooks saw
            Map<Storage, Boolean> held = new IdentityHashMap<>();
            held.put(upstream.storage(), Boolean.TRUE);
            OpProfiler.lap();
            for (Op op : order) {
                Tensor g = pending.remove(op);
                if (g == null) {
                    continue;
                }
                Tensor out = op.output();
                if (!out.hooks().isEmpty()) {
                    held.put(g.storage(), Boolean.TRUE); // a hook may keep what it sees
                }
                g = applyHooks(out, g);
                if (out.retainsGrad() || !out.hooks().isEmpty()) {
                    held.put(g.storage(), Boolean.TRUE);
                }
                if (out.retainsGrad()) {
                    out.setGrad(g);
                }
                Tensor[] ins = op.inputs();
                boolean gOwned = !retainGraph && listeners.isEmpty() && GradientSums.upstreamOwned(g, held, pending);
                Tensor[] grads = backwardInScope(op, g, gOwned);
                int[][] summedAxes = new int[ins.length][];
                List<Integer> leafInputs = new ArrayList<>();
                List<Tensor> consumed = new ArrayList<>(List.of(g)); // freed after the op unless still in use
                for (int i = 0; i < ins.length; i++) {
                    Tensor in = ins[i];
                    if (in == null || !in.requiresGrad() || grads[i] == null) {
                        grads[i] = null;
                        continue;
                    }
                    int[][] ax = new int[1][];
                    Tensor gi = unbroadcast(grads[i], in.shape(), ax);
                    if (ANOMALY.get()[0]) {
                        checkFinite(gi, "the gradient for input " + i, op);
                    }
                    summedAxes[i] = ax[0];
                    consumed.add(grads[i]);
                    consumed.add(gi);
                    grads[i] = gi;
                    if (in.gradFn() != null) {
                        Tensor prev = pending.get(in.gradFn());
                        if (prev == null) {
                            pending.put(in.gradFn(), gi);
                        } else {
                            long summing = OpProfiler.now();
                            Tensor sum = GradientSums.sum(prev, gi, in.gradFn(), i, g, grads, pending, held,
                                    !retainGraph && listeners.isEmpty());
                            pending.put(in.gradFn(), sum);
                            OpProfiler.charge(OpProfiler.BACKWARD, OpProfiler.GRADIENT_SUM, in.gradFn().scope(), summing);
                            consumed.add(prev);
                        }
                    } else {
                        leafInputs.add(i);
                    }
                }
                if (!listeners.isEmpty()) {
                    long listening = OpProfiler.now();
                    for (BackwardListener l : listeners) {
                        l.onNode(op, g, grads, summedAxes);
                    }
                    OpProfiler.exclude(listening); // the listeners' time is not the op's
                }
                for (int i : leafInputs) { // after onNode: a leaf's accumulation belongs to the node that produced it
                    if (!ins[i].hooks().isEmpty()) {
                        held.put(grads[i].storage(), Boolean.TRUE); // a leaf's hook may keep what it sees
                    }
                    accumulateLeaf(ins[i], grads[i]);
                }
                OpProfiler.stamp(OpProfiler.BACKWARD, op);
                if (!retainGraph) {
                    op.release();
                    if (listeners.isEmpty()) {
                        releaseConsumed(consumed, held, pending);
                    }
                }
            }
        }
    }

    /**
     * Runs {@code op}'s backward; on the CPU inside its own {@link MemoryScope}, so that the
     * tensors the backward allocates for itself (products, sums, broadcasts on the way to the
     * input gradients) are freed as soon as it returns instead of when the step's scope closes;
     * only the returned gradients move on to the step's scope. {@code gOwned}: the op may
     * overwrite g ({@link Op#ownsGradOut}). NOTE: CUDA ops are left to the step's scope (their
     * kernels run asynchronously).
     */
    private static Tensor[] backwardInScope(Op op, Tensor g, boolean gOwned) {
        if (op.output().device().kind() != Device.Kind.CPU) {
            return op.backwardChecked(g, false);
        }
        MemoryScope scratch = MemoryScope.open();
        Tensor[] grads = null;
        try {
            grads = op.backwardChecked(g, gOwned);
            return grads;
        } finally {
            scratch.closeKeeping(grads == null ? new Tensor[0] : grads);
        }
    }

    /**
     * Frees the gradients an op's backward is done with when nothing can read them any more, so
     * that a step's peak memory is its saved activations plus the gradients in flight rather than
     * every gradient of the backward (the step's {@code MemoryScope} would free them only at its
     * end): the op's upstream gradient, the input gradients it returned once they were
     * accumulated into a leaf's {@code .grad} (a conv's or linear's weight gradient) or added to
     * a pending sum, the sum they were added to, and a gradient before un-broadcasting. Kept: a
     * storage in {@code held} (the caller's upstream, a retained grad, anything a hook saw), a
     * CUDA gradient (its kernels run asynchronously), and any storage still shared with a pending
     * gradient (a pass-through such as add's, or a view such as reshape's). The caller skips
     * this when listeners watch.
     */
    private static void releaseConsumed(List<Tensor> consumed, Map<Storage, Boolean> held, Map<Op, Tensor> pending) {
        next:
        for (Tensor g : consumed) {
            if (g.device().kind() != Device.Kind.CPU || held.containsKey(g.storage()) || g.storage().isReleased()) {
                continue;
            }
            for (Tensor t : pending.values()) {
                if (t.storage() == g.storage()) {
                    continue next;
                }
            }
            g.release();
        }
    }

    private static Tensor applyHooks(Tensor t, Tensor g) {
        for (UnaryOperator<Tensor> h : t.hooks()) {
            Tensor r = h.apply(g);
            if (r != null) {
                if (!Arrays.equals(r.shape(), g.shape())) {
                    throw new IllegalStateException("gradient hook returned shape " + Shape.str(r.shape())
                            + " but the gradient has shape " + Shape.str(g.shape()));
                }
                g = r;
            }
        }
        return g;
    }

    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        g = applyHooks(leaf, g);
        for (BackwardListener l : LISTENERS.get()) {
            l.onLeaf(leaf, g);
        }
        Tensor zeroed = leaf.takeZeroedGrad();
        if (zeroed != null) { // zeroGrad's zeros would only be added to: write over them
            zeroed.backend().elementwise().copyInto(zeroed, g);
            return;
        }
        Tensor existing = leaf.grad();
        if (existing == null) {
            try (MemoryScope p = MemoryScope.persistent()) {
                Tensor copy = Tensor.zeros(g.dtype(), g.device(), g.shape());
                copy.backend().elementwise().copyInto(copy, g);
                leaf.setGrad(copy);
            }
        } else {
            existing.backend().elementwise().axpy(existing, g, 1.0);
        }
    }

    /** Ops reachable from {@code root}, each after every op that consumes its output. Iterative. */
    static List<Op> topologicalOrder(Op root) {
        List<Op> post = new ArrayList<>();
        Map<Op, Boolean> visited = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Op op = (Op) frame[0];
            int next = (Integer) frame[1];
            Tensor[] ins = op.inputs();
            boolean pushed = false;
            while (next < ins.length) {
                Tensor in = ins[next++];
                if (in != null && in.gradFn() != null && !visited.containsKey(in.gradFn())) {
                    visited.put(in.gradFn(), Boolean.TRUE);
                    frame[1] = next;
                    stack.push(new Object[] {in.gradFn(), 0});
                    pushed = true;
                    break;
                }
            }
            if (!pushed) {
                frame[1] = next;
                stack.pop();
                post.add(op);
            }
        }
        List<Op> order = new ArrayList<>(post.size());
        for (int i = post.size() - 1; i >= 0; i--) {
            order.add(post.get(i));
        }
        return order;
    }

    /** The graph's ops in backward order (for the graph view and the ledger). */
    public static List<Op> graph(Tensor root) {
        return root.gradFn() == null ? List.of() : topologicalOrder(root.gradFn());
    }
}
