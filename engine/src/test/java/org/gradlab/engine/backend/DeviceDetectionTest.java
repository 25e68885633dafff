package org.gradlab.engine.backend;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.gradlab.engine.Device;
import org.gradlab.engine.backend.cuda.CudaBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code --device auto|cpu|cuda|mps} reaches the right backend, or says clearly why not. */
class DeviceDetectionTest {
    private static String run(String spec, Device[] got) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        got[0] = DeviceDetection.resolve(spec, new PrintStream(buf, true, StandardCharsets.UTF_8));
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void cpuAndMps() {
        Device[] d = new Device[1];
        assertEquals("device: cpu\n", run("cpu", d).replace("\r", ""));
        assertEquals(Device.CPU, d[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run("mps", d));
        assertTrue(e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    void withoutCudaAutoFallsBackWithOneLineAndCudaNamesTheMissingPiece() {
        DeviceDetection.CudaStatus s = DeviceDetection.cuda();
        Assumptions.assumeFalse(s.usable(), "skipped: CUDA is usable here");
        Device[] d = new Device[1];
        String out = run("auto", d);
        assertEquals(Device.CPU, d[0]);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("device: cpu (CUDA not usable: " + s.reason()), out);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run("cuda", d));
        assertTrue(e.getMessage().contains(s.reason()), e.getMessage());
    }

    @Test
    void withCudaBothCudaAndAutoReachTheCudaBackend() {
        if (!DeviceDetection.cuda().usable()) {
            Assumptions.abort("skipped: no CUDA device");
        }
        Device[] d = new Device[1];
        run("cuda", d);
        assertEquals(Device.cuda(0), d[0]);
        assertInstanceOf(CudaBackend.class, Backends.of(d[0]));
        run("auto", d);
        assertEquals(Device.cuda(0), d[0]);
    }
}
