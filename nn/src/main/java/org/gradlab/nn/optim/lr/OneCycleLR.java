package org.gradlab.nn.optim.lr;

import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.ParamGroup;

/**
 * The 1cycle policy (Smith &amp; Topin), PyTorch 1.13 semantics; meant to be stepped once per
 * batch, {@code totalSteps} = epochs * batches per epoch.
 *
 * <pre>
 * initial_lr = max_lr / div_factor;  min_lr = initial_lr / final_div_factor
 * two phases:   [0, pct*T - 1]            initial_lr -> max_lr,  momentum max_m -> base_m
 *               [pct*T - 1, T - 1]        max_lr -> min_lr,      momentum base_m -> max_m
 * three phases: [0, pct*T - 1] up, [pct*T - 1, 2*pct*T - 2] max_lr -> initial_lr,
 *               [2*pct*T - 2, T - 1] initial_lr -> min_lr (momentum stays max_m)
 * value = anneal(start, end, (step - phase_start) / (phase_end - phase_start))
 * cos: end + (start - end) / 2 * (1 + cos(pi * pct));   linear: (end - start) * pct + start
 * </pre>
 *
 * With {@code cycleMomentum} the group's momentum is cycled too: SGD's {@code momentum} or
 * Adam's {@code beta1} ({@link ParamGroup#setMomentum}). NOTE: step {@code T} itself is allowed
 * (the last phase extrapolates, as PyTorch does); steps beyond {@code T} throw.
 */
public final class OneCycleLR extends LRScheduler {
    /** Annealing shape between phase end points. */
    public enum Anneal { COS, LINEAR }

    private final int totalSteps;
    private final Anneal anneal;
    private final boolean cycleMomentum;
    private final double[][] phases; // {end_step, startLrKind, endLrKind, startMomKind, endMomKind}

    private static final int INITIAL = 0, MAX = 1, MIN = 2, MAX_M = 3, BASE_M = 4;

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, Anneal.COS, true, 0.85, 0.95, 25, 1e4, false);
    }

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, Anneal anneal, boolean cycleMomentum,
                      double baseMomentum, double maxMomentum, double divFactor, double finalDivFactor, boolean threePhase) {
        super(optimizer);
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("OneCycleLR: total_steps must be > 0, got " + totalSteps);
        }
        if (pctStart < 0 || pctStart > 1) {
            throw new IllegalArgumentException("OneCycleLR: pct_start must be in [0, 1], got " + pctStart);
        }
        this.totalSteps = totalSteps;
        this.anneal = anneal;
        this.cycleMomentum = cycleMomentum;
        double up = pctStart * totalSteps - 1;
        phases = threePhase
                ? new double[][] {{up, INITIAL, MAX, MAX_M, BASE_M}, {2 * pctStart * totalSteps - 2, MAX, INITIAL, BASE_M, MAX_M},
                        {totalSteps - 1, INITIAL, MIN, MAX_M, MAX_M}}
                : new double[][] {{up, INITIAL, MAX, MAX_M, BASE_M}, {totalSteps - 1, MAX, MIN, BASE_M, MAX_M}};
        for (ParamGroup g : optimizer.paramGroups()) {
            g.set("initial_lr", maxLr / divFactor);
            g.set("max_lr", maxLr);
            g.set("min_lr", maxLr / divFactor / finalDivFactor);
            if (cycleMomentum) {
                if (!g.has("momentum") && !g.has("beta1")) {
                    throw new IllegalArgumentException("OneCycleLR: optimizer must have 'momentum' or 'beta1' with cycle_momentum enabled");
                }
                g.setMomentum(maxMomentum);
                g.set("max_momentum", maxMomentum);
                g.set("base_momentum", baseMomentum);
            }
        }
        initialStep();
    }

    private static String key(double kind) {
        switch ((int) kind) {
            case INITIAL: return "initial_lr";
            case MAX: return "max_lr";
            case MIN: return "min_lr";
            case MAX_M: return "max_momentum";
            default: return "base_momentum";
        }
    }

    private double anneal(double start, double end, double pct) {
        return anneal == Anneal.COS ? end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
    }

    @Override
    protected double lrAt(int step, int group, double baseLr) {
        if (step > totalSteps) {
            throw new IllegalStateException("OneCycleLR: tried to step " + step + " times, total_steps is " + totalSteps);
        }
        ParamGroup g = optimizer.paramGroups().get(group);
        double start = 0;
        for (int i = 0; i < phases.length; i++) {
            double[] ph = phases[i];
            double end = ph[0];
            if (step <= end || i == phases.length - 1) {
                double pct = (step - start) / (end - start);
                if (cycleMomentum) {
                    g.setMomentum(anneal(g.get(key(ph[3])), g.get(key(ph[4])), pct));
                }
                return anneal(g.get(key(ph[1])), g.get(key(ph[2])), pct);
            }
            start = end;
        }
        throw new AssertionError("unreachable");
    }
}
