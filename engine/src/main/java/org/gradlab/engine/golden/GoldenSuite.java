package org.gradlab.engine.golden;

import org.gradlab.engine.Device;
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

    /**
     * Runs every case with the engine's tensors on {@code device}. Suites that only run on the CPU
     * keep this default, which reports them as failed for any other device (never silently passes).
     */
    default void run(Npz npz, Reporter reporter, Device device) {
        if (device.kind() == Device.Kind.CPU) {
            run(npz, reporter);
        } else {
            reporter.fail(fileName(), "-", "-", "-", "this suite does not support device " + device);
        }
    }
}
