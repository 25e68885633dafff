package org.gradlab.challenge.run;

import org.gradlab.challenge.study.StudyExperiment;

/**
 * One unit of a study's work as the driver plans it: a whole experiment ({@code fold} -1), or fold {@code fold} of a
 * {@code cv} experiment. {@code experiment} already carries the run's {@code --epochs}.
 */
public record StudyUnit(StudyExperiment experiment, int fold) {
    /** "ID" or "ID-foldF": the unit's name in logs, task descriptions and file names. */
    public String key() {
        return fold < 0 ? experiment.id() : experiment.id() + "-fold" + fold;
    }
}
