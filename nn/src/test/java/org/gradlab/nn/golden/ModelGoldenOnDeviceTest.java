package org.gradlab.nn.golden;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.Device;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.engine.testutil.Devices;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Whole-model golden tests (model01, model08: forward, loss, every gradient, BN running stats, one
 * optimizer step, eval logits) with the model and its input moved to each device. On a host
 * without CUDA the CUDA cases are reported as "skipped: no CUDA device". resnet18 stays in
 * {@link ModelGoldenSuitesTest}'s CPU coverage (its 45 MB fixture is not carried to GPU hosts).
 */
class ModelGoldenOnDeviceTest {

    @TestFactory
    List<DynamicTest> smallModelsOnEveryDevice() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Devices.all()) {
            for (GoldenSuite s : ModelGoldenSuites.suites().subList(0, 2)) {
                tests.add(DynamicTest.dynamicTest(d + " " + s.fileName(), () -> {
                    Devices.assumeUsable(d);
                    Reporter r = new Reporter(null);
                    try (Npz z = Npz.open(SharedFiles.file("golden/" + s.fileName()))) {
                        s.run(z, r, d);
                    }
                    assertFalse(r.lines().isEmpty());
                    assertTrue(r.failures().isEmpty(), () -> d + " " + s.fileName() + ": " + r.failures());
                }));
            }
        }
        return tests;
    }
}
