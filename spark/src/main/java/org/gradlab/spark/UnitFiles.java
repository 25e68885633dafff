package org.gradlab.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * What a Spark task sends back to the driver: the unit's outcome as JSON and every file it wrote (models/, health/,
 * predictions/, its log) by path relative to the study's output folder.
 *
 * @param attempt  the Spark attempt that finished it (0 unless an earlier one failed)
 * @param executor the executor that ran it
 */
record UnitFiles(String key, String outcomeJson, Map<String, byte[]> files, int attempt, String executor) implements Serializable {}
