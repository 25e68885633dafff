package org.gradlab.spark;

import java.io.Serializable;

/**
 * A fault injected into a running unit, for tests of Spark's retries: it sees every line the unit logs, with the
 * unit and Spark's attempt number, and may throw to kill the attempt mid-training. Production runs have none.
 */
@FunctionalInterface
interface TaskFault extends Serializable {
    void atLine(String unitKey, int attempt, String line);
}
