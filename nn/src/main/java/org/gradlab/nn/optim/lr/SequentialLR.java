package org.gradlab.nn.optim.lr;

import java.util.List;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.ParamGroup;

/**
 * Runs {@code schedulers[0]} until {@code milestones[0]}, then {@code schedulers[1]}, ... with
 * PyTorch 1.13 behaviour: construction resets every group's lr to {@code initial_lr} and re-does
 * the first scheduler's initial step; at a milestone the next scheduler is restarted with
 * {@code step(0)} (its closed-form epoch 0), afterwards stepped normally. So scheduler {@code i}
 * sees epoch {@code e - milestones[i-1]}.
 */
public final class SequentialLR extends LRScheduler {
    private final List<LRScheduler> schedulers;
    private final int[] milestones;

    public SequentialLR(Optimizer optimizer, List<LRScheduler> schedulers, int... milestones) {
        super(optimizer);
        if (schedulers.isEmpty() || milestones.length != schedulers.size() - 1) {
            throw new IllegalArgumentException("SequentialLR: expected " + Math.max(0, schedulers.size() - 1)
                    + " milestones for " + schedulers.size() + " schedulers, got " + milestones.length);
        }
        for (LRScheduler s : schedulers) {
            if (s.optimizer() != optimizer) {
                throw new IllegalArgumentException("SequentialLR: every scheduler must act on the same optimizer");
            }
        }
        for (int i = 1; i < milestones.length; i++) {
            if (milestones[i] <= milestones[i - 1]) {
                throw new IllegalArgumentException("SequentialLR: milestones must increase, got " + java.util.Arrays.toString(milestones));
            }
        }
        this.schedulers = List.copyOf(schedulers);
        this.milestones = milestones.clone();
        for (ParamGroup g : optimizer.paramGroups()) {
            g.setLr(g.get("initial_lr"));
        }
        for (LRScheduler s : schedulers) {
            s.lastEpoch -= 1;
        }
        this.baseLrs = schedulers.get(0).baseLrs.clone();
        this.lastEpoch = 0;
        schedulers.get(0).step();
    }

    @Override
    public void step() {
        lastEpoch++;
        int idx = bisectRight(lastEpoch);
        LRScheduler s = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == lastEpoch) {
            s.step(0);
        } else {
            s.step();
        }
    }

    /** Jumps to {@code epoch}: the active scheduler gets {@code step(epoch - its start)}. */
    @Override
    public void step(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("SequentialLR: epoch must be >= 0, got " + epoch);
        }
        lastEpoch = epoch;
        int idx = bisectRight(epoch);
        schedulers.get(idx).step(idx == 0 ? epoch : epoch - milestones[idx - 1]);
    }

    @Override
    public double[] lastLr() {
        return schedulers.get(bisectRight(Math.max(lastEpoch, 0))).lastLr();
    }

    @Override
    protected double lrAt(int epoch, int group, double baseLr) {
        throw new UnsupportedOperationException("SequentialLR delegates to its schedulers");
    }

    private int bisectRight(int e) {
        int i = 0;
        while (i < milestones.length && milestones[i] <= e) {
            i++;
        }
        return i;
    }
}
