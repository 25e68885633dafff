package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;

/** Argument checks shared by the ops, with messages that name the op and what came. */
public final class Checks {
    private Checks() {}

    public static void sameDeviceAndDtype(String op, Tensor... ts) {
        Tensor first = null;
        for (Tensor t : ts) {
            if (t == null) {
                continue;
            }
            if (first == null) {
                first = t;
                continue;
            }
            if (!t.device().equals(first.device())) {
                throw new IllegalArgumentException(op + ": tensors are on different devices (" + first.device() + " and "
                        + t.device() + "); move them with to(device) first");
            }
            if (t.dtype() != first.dtype()) {
                throw new IllegalArgumentException(op + ": tensors have different dtypes (" + first.dtype() + " and "
                        + t.dtype() + "); convert with to(dtype) first");
            }
        }
    }

    public static void rank(String op, String what, Tensor t, int rank) {
        if (t.dim() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must be " + rank + "-D, got shape " + Shape.str(t.shape()));
        }
    }
}
