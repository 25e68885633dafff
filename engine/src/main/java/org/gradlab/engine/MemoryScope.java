package org.gradlab.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deterministic release of tensor memory: every storage allocated on this thread while a scope
 * is open is released when the scope closes, unless it was {@linkplain #keep(Tensor) kept}.
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = Functional.crossEntropy(model.forward(x), labels, null, 0.0, Reduction.MEAN);
 *     loss.backward();          // parameter .grad tensors are persistent, see below
 *     optimizer.step();         // updates in place
 *     lossValue = loss.item();
 * }                             // every activation and saved tensor is freed here
 * }</pre>
 *
 * <p>NOTE: leaf gradients and optimizer state are allocated inside {@link #persistent()} so
 * they outlive the step. A tensor used after its scope closed fails with a clear
 * {@link IllegalStateException}, never with a crash. Storages allocated outside any scope are
 * freed when they become unreachable (a Cleaner watches them).
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<Deque<MemoryScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final boolean tracking;
    private final Map<Storage, Boolean> owned = new IdentityHashMap<>();
    private boolean closed;

    private MemoryScope(boolean tracking) {
        this.tracking = tracking;
    }

    /** Opens a scope that owns every storage allocated on this thread until it closes. */
    public static MemoryScope open() {
        MemoryScope s = new MemoryScope(true);
        STACK.get().push(s);
        return s;
    }

    /** Opens a scope in which allocations belong to no scope (model state, gradients, optimizer state). */
    public static MemoryScope persistent() {
        MemoryScope s = new MemoryScope(false);
        STACK.get().push(s);
        return s;
    }

    static void track(Storage storage) {
        MemoryScope top = STACK.get().peek();
        if (top != null && top.tracking) {
            top.owned.put(storage, Boolean.TRUE);
        }
    }

    /**
     * Moves {@code t}'s storage out of the innermost tracking scope that owns it, into that
     * scope's parent (or out of all scopes), so it survives the close.
     */
    public static Tensor keep(Tensor t) {
        Storage s = t.storage();
        Deque<MemoryScope> stack = STACK.get();
        List<MemoryScope> scopes = new ArrayList<>(stack);
        for (int i = 0; i < scopes.size(); i++) {
            MemoryScope sc = scopes.get(i);
            if (sc.owned.remove(s) != null) {
                for (int j = i + 1; j < scopes.size(); j++) {
                    if (scopes.get(j).tracking) {
                        scopes.get(j).owned.put(s, Boolean.TRUE);
                        break;
                    }
                }
                break;
            }
        }
        return t;
    }

    /**
     * Closes this scope like {@link #close()}, except that the storages of {@code survivors} which
     * this scope owns move to the scope just below it, as if they had been allocated there: owned
     * by it when it tracks, by no scope when it is {@link #persistent()} or there is none.
     * Survivors owned by another scope, and null entries, are left alone. NOTE: for a short inner scope whose temporaries die with it while its results live on
     * (autograd runs each CPU op's backward in one, so a backward's scratch tensors do not wait for
     * the step to end).
     */
    public void closeKeeping(Tensor... survivors) {
        if (!closed) {
            Deque<MemoryScope> stack = STACK.get();
            MemoryScope below = null;
            boolean past = false;
            for (MemoryScope sc : stack) { // innermost first
                if (past) {
                    below = sc;
                    break;
                }
                past = sc == this;
            }
            for (Tensor t : survivors) {
                if (t != null && owned.remove(t.storage()) != null && below != null && below.tracking) {
                    below.owned.put(t.storage(), Boolean.TRUE);
                }
            }
        }
        close();
    }

    /** Bytes owned by this scope right now. */
    public long ownedBytes() {
        long b = 0;
        for (Storage s : owned.keySet()) {
            if (!s.isReleased()) {
                b += s.bytes();
            }
        }
        return b;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Deque<MemoryScope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("MemoryScope closed out of order: close inner scopes first");
        }
        stack.pop();
        for (Storage s : owned.keySet()) {
            s.close();
        }
        owned.clear();
    }
}
