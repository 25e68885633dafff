package org.gradlab.engine.golden;

import org.gradlab.engine.io.Npz;

/**
 * Compares the engine against one golden fixture file: runs every case found in the file
 * (case names discovered from keys {@code <case>.<group>.<name>}) and reports every compared
 * array to the {@link Reporter}. Register implementations in {@link GoldenCases}.
 */
public interface GoldenSuite {
    /** The fixture's file name inside the golden directory, e.g. {@code "batchnorm2d.npz"}. */
    String fileName();

    /** Runs every case of {@code npz}; failures (including exceptions) are reported, never thrown. */
    void run(Npz npz, Reporter reporter);
}
