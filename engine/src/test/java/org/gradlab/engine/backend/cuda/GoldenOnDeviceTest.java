package org.gradlab.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.Device;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.testutil.Devices;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The engine's golden suites (PyTorch fixtures: the repository's own, see Fixtures) with the engine's tensors on
 * each device: the same suites, inputs uploaded to the device, references unchanged. Missing
 * fixtures FAIL; an unusable CUDA device is reported as "skipped: no CUDA device".
 */
class GoldenOnDeviceTest {

    @TestFactory
    List<DynamicTest> everyOpSuiteOnEveryDevice() {
        Path dir = org.gradlab.engine.io.SharedFiles.root().resolve("golden");
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Devices.all()) {
            for (GoldenSuite suite : GoldenCases.builtIn()) {
                tests.add(DynamicTest.dynamicTest(d + " " + suite.fileName(), () -> {
                    Devices.assumeUsable(d);
                    Path f = dir.resolve(suite.fileName());
                    assertTrue(Files.isRegularFile(f), "missing fixture " + f.toAbsolutePath());
                    ByteArrayOutputStream buf = new ByteArrayOutputStream();
                    Reporter rep = new Reporter(new PrintStream(buf, true, StandardCharsets.UTF_8));
                    try (Npz z = Npz.open(f)) {
                        suite.run(z, rep, d);
                    }
                    assertFalse(rep.lines().isEmpty(), suite.fileName() + " compared nothing");
                    assertTrue(rep.failures().isEmpty(), suite.fileName() + " on " + d + ":\n" + buf.toString(StandardCharsets.UTF_8));
                }));
            }
        }
        return tests;
    }
}
