package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/** Reductions over a set of axes (sorted, distinct, non-negative). */
public interface ReduceKernels {
    Tensor sum(Tensor x, int[] axes, boolean keepdim);

    Tensor max(Tensor x, int[] axes, boolean keepdim);

    /**
     * Gradient of {@link #max}: {@code g} (shape of the max output) goes to the FIRST maximum of
     * each reduced block, in row-major order; all other elements get 0.
     */
    Tensor maxBackward(Tensor g, Tensor x, int[] axes, boolean keepdim);
}
