package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;

/** Class-index targets for the classification losses. */
public final class Targets {
    private Targets() {}

    /**
     * Class indices (host ints) as a target tensor of {@code like}'s dtype and device: the form
     * the loss kernels take (float32 holds every index up to 2^24 exactly).
     */
    public static Tensor of(int[] classes, Tensor like) {
        double[] d = new double[classes.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = classes[i];
        }
        return Tensor.of(like.dtype(), like.device(), d, classes.length);
    }

    /** Shape and device checks shared by nll_loss and cross_entropy (values are checked by the kernel). */
    static void check(String op, Tensor input, Tensor target, Tensor weight) {
        Checks.rank(op, "input", input, 2);
        Checks.sameDeviceAndDtype(op, input, weight);
        int n = input.shape(0);
        int c = input.shape(1);
        if (target.dim() != 1 || target.shape(0) != n) {
            throw new IllegalArgumentException(op + ": target must have shape [" + n + "] for input "
                    + Shape.str(input.shape()) + ", got " + Shape.str(target.shape()));
        }
        if (!target.device().equals(input.device())) {
            throw new IllegalArgumentException(op + ": target is on " + target.device() + " but input on " + input.device());
        }
        if (target.requiresGrad()) {
            throw new IllegalArgumentException(op + ": target holds class indices and cannot require grad");
        }
        if (weight != null && weight.requiresGrad()) {
            throw new IllegalArgumentException(op + ": class weight is a constant (no gradient, as in PyTorch); pass weight.detach()");
        }
        if (weight != null && (weight.dim() != 1 || weight.shape(0) != c)) {
            throw new IllegalArgumentException(op + ": class weight must have shape [" + c + "], got "
                    + Shape.str(weight.shape()));
        }
    }
}
