package org.gradlab.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.check.BackendParity;
import org.gradlab.engine.check.DeviceChecks;
import org.gradlab.engine.check.ParityCases;
import org.gradlab.engine.testutil.Devices;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every backend against the CPU backend ({@link BackendParity}): one dynamic test per case and
 * dtype on CUDA (skipped with "skipped: no CUDA device" where there is none), plus the device
 * checks (bad target, use after release, flat memory) on every device, the CPU included.
 */
class BackendParityTest {

    @TestFactory
    List<DynamicTest> cudaMatchesCpu() {
        List<DynamicTest> tests = new ArrayList<>();
        Device cuda = Device.cuda(0);
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (ParityCases.Case c : ParityCases.all()) {
                tests.add(DynamicTest.dynamicTest(cuda + " " + dt + " " + c.name(), () -> {
                    Devices.assumeUsable(cuda);
                    BackendParity.Result r = BackendParity.compare(c, cuda, dt);
                    assertTrue(r.pass(), r.summary());
                }));
            }
        }
        return tests;
    }

    /** Harness self-check where no GPU exists: every case runs on the CPU, records results and is deterministic. */
    @TestFactory
    List<DynamicTest> everyCaseRunsAndIsDeterministicOnTheCpu() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (ParityCases.Case c : ParityCases.all()) {
                tests.add(DynamicTest.dynamicTest("cpu " + dt + " " + c.name(), () -> {
                    Map<String, double[]> a = BackendParity.run(c, Device.CPU, dt);
                    assertFalse(a.isEmpty(), c.name() + " recorded nothing");
                    a.forEach((k, v) -> assertNotNull(v, c.name() + "." + k + " is missing"));
                    Map<String, double[]> b = BackendParity.run(c, Device.CPU, dt);
                    assertEquals(a.keySet(), b.keySet());
                    a.forEach((k, v) -> assertArrayEquals(v, b.get(k), 0.0, c.name() + "." + k + " differs between two CPU runs"));
                    assertTrue(BackendParity.compare(c, Device.CPU, dt).pass());
                }));
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> deviceChecks() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Device d : Devices.all()) {
            tests.add(DynamicTest.dynamicTest(d + " bad class index is an exception naming it", () -> {
                Devices.assumeUsable(d);
                DeviceChecks.badTarget(d);
            }));
            tests.add(DynamicTest.dynamicTest(d + " use after release is an IllegalStateException", () -> {
                Devices.assumeUsable(d);
                DeviceChecks.useAfterRelease(d);
            }));
            tests.add(DynamicTest.dynamicTest(d + " memory stays flat over 40 training steps", () -> {
                Devices.assumeUsable(d);
                DeviceChecks.memoryFlat(d, 40);
            }));
        }
        return tests;
    }
}
