package org.gradlab.nn.optim.lr;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.ParamGroup;

/**
 * Base of the learning-rate schedulers (PyTorch 1.13 {@code _LRScheduler} semantics).
 *
 * <p>Construction records each group's {@code initial_lr} (kept if already present, so several
 * schedulers on one optimizer share the same base) and performs the initial step: epoch 0's
 * rate is in effect right after construction. Each {@link #step()} advances one unit and sets the
 * rate of every group to the schedule's value for the new unit. Whether a unit is an epoch or a
 * batch is the caller's choice: call {@code step()} once per epoch (after the epoch) for
 * epoch-based schedules, or once per optimizer step for per-batch schedules such as
 * {@link OneCycleLR} (whose {@code totalSteps} then counts batches).
 *
 * <p>NOTE: rates are computed in closed form from {@code initial_lr} (PyTorch's
 * {@code _get_closed_form_lr}); PyTorch's default recursive forms agree to ~1e-16 relative but
 * also compound external changes of {@code lr}. Two schedulers stepping the same optimizer
 * (PyTorch's ChainedScheduler) are therefore not supported; combine them with
 * {@link SequentialLR}.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected double[] baseLrs;
    protected int lastEpoch = -1;
    private double[] lastLr;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
    }

    /** Records base rates and applies epoch 0; subclasses call it at the end of their constructor. */
    protected final void initialStep() {
        List<ParamGroup> groups = optimizer.paramGroups();
        baseLrs = new double[groups.size()];
        for (int i = 0; i < baseLrs.length; i++) {
            ParamGroup g = groups.get(i);
            if (!g.has("initial_lr")) {
                g.set("initial_lr", g.lr());
            }
            baseLrs[i] = g.get("initial_lr");
        }
        step();
    }

    /** The rate of group {@code group} (base rate {@code baseLr}) at unit {@code epoch} (>= 0). */
    protected abstract double lrAt(int epoch, int group, double baseLr);

    /** Advances one epoch/batch and updates every group's learning rate. */
    public void step() {
        step(lastEpoch + 1);
    }

    /** Jumps to unit {@code epoch} (closed form). */
    public void step(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": epoch must be >= 0, got " + epoch);
        }
        lastEpoch = epoch;
        List<ParamGroup> groups = optimizer.paramGroups();
        double[] lrs = new double[groups.size()];
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lrAt(epoch, i, baseLrs[i]);
            groups.get(i).setLr(lrs[i]);
        }
        lastLr = lrs;
    }

    /** The rates set by the last step, one per group. */
    public double[] lastLr() {
        return lastLr.clone();
    }

    public int lastEpoch() {
        return lastEpoch;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@code last_epoch} for resuming (the optimizer's state dict carries the rates themselves). */
    public Map<String, Double> stateDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("last_epoch", (double) lastEpoch);
        return m;
    }

    /** Restores {@code last_epoch} and re-applies that unit's rates. */
    public void loadStateDict(Map<String, Double> sd) {
        Double e = sd.get("last_epoch");
        if (e == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": state dict has no 'last_epoch' (keys " + sd.keySet() + ")");
        }
        step((int) Math.round(e));
    }
}
