package org.gradlab.challenge.run;

import java.util.List;

/**
 * Thrown by {@link StudyTrainer} when a training step's loss or gradient becomes non-finite: the experiment is over
 * and recorded as failed; the study goes on with the next one.
 *
 * @see StudyRunner
 */
final class ExperimentDiverged extends RuntimeException {
    private final transient Divergence divergence;
    private final transient List<EpochRecord> history;
    private final double trainSeconds;
    private final long params;

    ExperimentDiverged(String id, Divergence divergence, List<EpochRecord> history, double trainSeconds, long params) {
        super("exp " + id + " " + divergence.reason());
        this.divergence = divergence;
        this.history = List.copyOf(history);
        this.trainSeconds = trainSeconds;
        this.params = params;
    }

    /** The model's trainable parameters. */
    long params() {
        return params;
    }

    Divergence divergence() {
        return divergence;
    }

    /** The epochs finished before the divergence. */
    List<EpochRecord> history() {
        return history;
    }

    double trainSeconds() {
        return trainSeconds;
    }
}
