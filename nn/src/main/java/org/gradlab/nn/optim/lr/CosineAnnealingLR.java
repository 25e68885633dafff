package org.gradlab.nn.optim.lr;

import org.gradlab.nn.optim.Optimizer;

/**
 * {@code lr(e) = eta_min + (base - eta_min) * (1 + cos(pi * e / T_max)) / 2}. Past {@code T_max}
 * the cosine continues (rates rise again, period {@code 2 T_max}), as in PyTorch.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) {
            throw new IllegalArgumentException("CosineAnnealingLR: T_max must be > 0, got " + tMax);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    protected double lrAt(int e, int group, double base) {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2;
    }
}
