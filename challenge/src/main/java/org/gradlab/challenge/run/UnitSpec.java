package org.gradlab.challenge.run;

import java.io.Serializable;
import java.nio.file.Path;
import org.gradlab.challenge.study.StudySource;

/**
 * A unit of a study's work written down for another machine (a Spark executor): the study's text, which experiment
 * and fold, the seed and everything else the run was asked for. {@link ExperimentUnit#run(UnitSpec, Path, String,
 * Path, java.io.PrintStream)} turns it, with the data file, into the same {@link UnitOutcome} a local run computes.
 *
 * @param fold     the fold of a cv experiment, or -1
 * @param epochs   {@code --epochs}, or null
 * @param data     the data file as the driver resolved it (executors may get a copy elsewhere, see the Spark module)
 * @param dataFlag the MedMNIST flag of the data (class names, the DermaMNIST columns), or null
 */
public record UnitSpec(StudySource source, String experimentId, int fold, Integer epochs, Integer limitTrain, long seed,
                       String device, int workers, String weights, String cache, String data, String dataFlag)
        implements Serializable {

    public static UnitSpec of(StudySource source, StudyUnit unit, StudyOptions o, Path dataFile, String dataFlag) {
        return new UnitSpec(source, unit.experiment().id(), unit.fold(), o.epochs(), o.limitTrain(), o.seed(), o.device(),
                o.workers(), o.weights() == null ? null : o.weights().toString(), o.cache() == null ? null : o.cache().toString(),
                dataFile.toString(), dataFlag);
    }

    /** "ID" or "ID-foldF", as {@link StudyUnit#key()}. */
    public String key() {
        return fold < 0 ? experimentId : experimentId + "-fold" + fold;
    }
}
