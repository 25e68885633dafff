package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;

/** Argument checks shared by the 2-D pooling ops. */
final class PoolChecks {
    private PoolChecks() {}

    static void window(String op, Tensor x, Pool2dParams p) {
        Checks.rank(op, "input", x, 4);
        if (2 * p.padH() > p.kH() || 2 * p.padW() > p.kW()) {
            throw new IllegalArgumentException(op + ": padding (" + p.padH() + "," + p.padW()
                    + ") must be at most half the kernel size (" + p.kH() + "," + p.kW() + ")");
        }
        int ph = x.shape(2) + 2 * p.padH();
        int pw = x.shape(3) + 2 * p.padW();
        if (ph < p.kH() || pw < p.kW()) {
            throw new IllegalArgumentException(op + ": kernel " + p.kH() + "x" + p.kW() + " is larger than the padded input "
                    + ph + "x" + pw + " (input " + Shape.str(x.shape()) + ")");
        }
    }
}
