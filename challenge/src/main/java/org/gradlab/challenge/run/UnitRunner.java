package org.gradlab.challenge.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a study's units train: in this process one after another ({@link StudyRunner}'s own), or on a cluster (the
 * optional gradlab-spark module, found through {@link StudyCluster}). Either way every finished unit is handed to
 * the sink on the calling thread, its files (models/, health/, predictions/) already under the study's output folder.
 */
public interface UnitRunner extends AutoCloseable {
    /** Receives finished units. */
    interface Sink {
        void accept(StudyUnit unit, UnitOutcome outcome) throws IOException;
    }

    /** Opens a runner once the study's data file is known. */
    interface Factory {
        UnitRunner open(Path dataFile, String dataFlag, StudyOptions options) throws IOException;
    }

    /**
     * Trains {@code units}, each exactly once (a failed attempt may be retried), and hands each finished one to
     * {@code sink}; throws after the others finished when a unit could not be trained.
     */
    void run(List<StudyUnit> units, Sink sink) throws IOException, InterruptedException;

    @Override
    default void close() {}
}
