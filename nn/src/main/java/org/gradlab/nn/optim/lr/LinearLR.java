package org.gradlab.nn.optim.lr;

import org.gradlab.nn.optim.Optimizer;

/**
 * {@code lr(e) = base * (start + (end - start) * min(e, total_iters) / total_iters)}: a linear
 * ramp of the multiplicative factor, constant afterwards (PyTorch defaults start 1/3, end 1, 5 iters).
 */
public final class LinearLR extends LRScheduler {
    private final double start;
    private final double end;
    private final int totalIters;

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (startFactor <= 0 || startFactor > 1 || endFactor < 0 || endFactor > 1 || totalIters <= 0) {
            throw new IllegalArgumentException("LinearLR: need 0 < start_factor <= 1, 0 <= end_factor <= 1, total_iters > 0; got "
                    + startFactor + ", " + endFactor + ", " + totalIters);
        }
        this.start = startFactor;
        this.end = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double lrAt(int e, int group, double base) {
        return base * (start + (end - start) * Math.min(totalIters, e) / totalIters);
    }
}
