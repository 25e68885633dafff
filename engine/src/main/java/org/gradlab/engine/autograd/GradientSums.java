package org.gradlab.engine.autograd;

import java.util.Arrays;
import java.util.Map;
import org.gradlab.engine.Device;
import org.gradlab.engine.Storage;
import org.gradlab.engine.Tensor;

/**
 * The sum of two gradients pending for one tensor (a residual stream, an input read by several
 * ops): {@code prev + gi}. NOTE: when one of the two is owned by the backward loop, i.e. nothing
 * else can read it any more, the other is added into it in place ({@code axpy} with alpha 1, the
 * same bits as {@code add}: x + 1·y = x + y in either order), so the sum allocates nothing.
 * Owned means: a contiguous CPU tensor of the sum's dtype and shape whose storage is shared with
 * none of the caller's upstream, a retained gradient or anything a hook saw ({@code held}), no
 * other pending gradient, neither the current op's upstream gradient nor any other gradient that
 * op returned (an add hands its upstream to both inputs), and not with the other summand. The
 * caller allows it only where it may also free consumed gradients (no listener watching, no
 * retained graph): an op's returned gradients are its own to give away, as freeing them assumes.
 */
final class GradientSums {
    private GradientSums() {}

    /**
     * prev + gi, into one of them where that one is owned. {@code op} is the op whose backward
     * returned {@code gi} for input {@code index} (the raw gradients in {@code returned}, before
     * un-broadcasting), {@code upstream} the gradient it received, {@code key} the op that both
     * summands are pending for.
     */
    static Tensor sum(Tensor prev, Tensor gi, Op key, int index, Tensor upstream, Tensor[] returned,
                      Map<Op, Tensor> pending, Map<Storage, Boolean> held, boolean mayMutate) {
        if (mayMutate && prev.storage() != gi.storage()) {
            if (owned(prev, gi, key, -1, upstream, returned, pending, held)) {
                prev.backend().elementwise().axpy(prev, gi, 1.0);
                return prev;
            }
            if (owned(gi, prev, null, index, upstream, returned, pending, held)) {
                gi.backend().elementwise().axpy(gi, prev, 1.0);
                return gi;
            }
        }
        return prev.add(gi);
    }

    /**
     * Whether an op's upstream gradient {@code g} may be overwritten by its backward
     * ({@code Op.ownsGradOut}): the rule above for a gradient just taken out of {@code pending}
     * (a contiguous CPU tensor whose storage is not in {@code held} nor shared with any gradient
     * still pending). Dtype and shape against the op's input gradient are the op's to check; the
     * caller adds the rest (no listener, no retained graph).
     */
    static boolean upstreamOwned(Tensor g, Map<Storage, Boolean> held, Map<Op, Tensor> pending) {
        return unshared(g, null, held, pending);
    }

    /**
     * The part of the rule every owned gradient meets: {@code t} is a contiguous CPU tensor whose
     * storage is not in {@code held} nor shared with a pending gradient other than the entry
     * {@code ownEntry} (null: every entry counts).
     */
    private static boolean unshared(Tensor t, Op ownEntry, Map<Storage, Boolean> held, Map<Op, Tensor> pending) {
        Storage s = t.storage();
        if (t.device().kind() != Device.Kind.CPU || !t.isContiguous() || held.containsKey(s)) {
            return false;
        }
        for (Map.Entry<Op, Tensor> e : pending.entrySet()) {
            if (e.getKey() != ownEntry && e.getValue().storage() == s) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code t} may be overwritten: see the class comment. {@code ownEntry} is the pending
     * entry that holds t itself (null when t is not pending yet), {@code ownIndex} the position of
     * t among the op's returned gradients (−1 when it is not one of them).
     */
    private static boolean owned(Tensor t, Tensor other, Op ownEntry, int ownIndex, Tensor upstream, Tensor[] returned,
                                 Map<Op, Tensor> pending, Map<Storage, Boolean> held) {
        Storage s = t.storage();
        if (t.dtype() != other.dtype() || !Arrays.equals(t.shape(), other.shape()) || upstream.storage() == s
                || !unshared(t, ownEntry, held, pending)) {
            return false;
        }
        for (int j = 0; j < returned.length; j++) {
            if (j != ownIndex && returned[j] != null && returned[j].storage() == s) {
                return false;
            }
        }
        return true;
    }
}
