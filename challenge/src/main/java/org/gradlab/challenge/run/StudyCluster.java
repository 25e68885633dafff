package org.gradlab.challenge.run;

import java.io.PrintStream;
import java.util.ServiceLoader;
import org.gradlab.challenge.study.StudySource;

/**
 * A cluster a study's units can run on, found with {@link ServiceLoader}: the optional gradlab-spark module provides
 * {@code spark} ({@code study run --spark MASTER}); nothing in the core depends on it.
 */
public interface StudyCluster {
    /** The option's name without dashes, e.g. "spark". */
    String name();

    /** A factory of runners that train on {@code master}; {@code source} is what every executor parses. */
    UnitRunner.Factory connect(String master, StudySource source, PrintStream out);

    /** The provider called {@code name}, or null when its module is not on the class path. */
    static StudyCluster find(String name) {
        for (StudyCluster c : ServiceLoader.load(StudyCluster.class)) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
