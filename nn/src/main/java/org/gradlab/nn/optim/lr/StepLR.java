package org.gradlab.nn.optim.lr;

import org.gradlab.nn.optim.Optimizer;

/** {@code lr(e) = base * gamma^floor(e / step_size)}. */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) {
            throw new IllegalArgumentException("StepLR: step_size must be > 0, got " + stepSize);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double lrAt(int e, int group, double base) {
        return base * Math.pow(gamma, e / stepSize);
    }
}
