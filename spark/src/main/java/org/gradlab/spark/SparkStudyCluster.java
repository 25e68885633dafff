package org.gradlab.spark;

import java.io.PrintStream;
import org.gradlab.challenge.run.StudyCluster;
import org.gradlab.challenge.run.UnitRunner;
import org.gradlab.challenge.study.StudySource;

/** {@code study run --spark MASTER}: found by the core through {@link java.util.ServiceLoader}. */
public final class SparkStudyCluster implements StudyCluster {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public UnitRunner.Factory connect(String master, StudySource source, PrintStream out) {
        return (dataFile, dataFlag, options) -> new SparkUnits(master, source, dataFile, dataFlag, options, out, null);
    }
}
