package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.golden.CaseData;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenVerify;
import org.gradlab.engine.golden.OpSuite;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The golden CLI on generated fixtures: right values pass, a wrong {@code out} fails with a non-zero exit. */
class GoldenVerifyCliTest {

    /** A relu fixture in the golden layout, cases discovered from the keys; {@code outShift} corrupts out. */
    static void writeRelu(Path file, double outShift) throws Exception {
        double[] x = {-1.5, 0.0, 2.0, 3.25, -0.5, 1.0};
        double[] g = {0.5, 1.0, -2.0, 0.25, 3.0, -1.0};
        double[] out = new double[x.length];
        double[] gx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.max(x[i], 0) + (i == 2 ? outShift : 0);
            gx[i] = x[i] > 0 ? g[i] : 0;
        }
        int[] shape = {2, 3};
        Map<String, NpyArray> m = new LinkedHashMap<>();
        for (String c : new String[] {"small", "again"}) {
            m.put(c + ".f64.x", NpyArray.ofDoubles(shape, x));
            m.put(c + ".f64.grad_out", NpyArray.ofDoubles(shape, g));
            m.put(c + ".f64.out", NpyArray.ofDoubles(shape, out));
            m.put(c + ".f64.grad_x", NpyArray.ofDoubles(shape, gx));
        }
        Npz.write(file, m, false);
    }

    static String run(Path dir, int expectedCode) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = GoldenVerify.run(new String[] {dir.toString()}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, out);
        return out;
    }

    @Test
    void correctFixturePasses(@TempDir Path dir) throws Exception {
        writeRelu(dir.resolve("relu.npz"), 0);
        String out = run(dir, 0);
        assertTrue(out.contains("relu.npz small f64 out "), out);
        assertTrue(out.contains("relu.npz again f32 grad_x "), out);
        assertTrue(out.contains("TOTAL: 1 files, 8 checks, 0 failed -> PASS"), out);
    }

    @Test
    void wrongOutFails(@TempDir Path dir) throws Exception {
        writeRelu(dir.resolve("relu.npz"), 1e-3);
        String out = run(dir, 1);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("relu.npz small f64 out ") && l.endsWith("FAIL")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("relu.npz small f64 grad_x ") && l.endsWith("PASS")), out);
        assertTrue(out.contains("4 failed -> FAIL"), out);
    }

    @Test
    void registeredSuiteRunsOnItsFile(@TempDir Path dir) throws Exception {
        GoldenCases.register(new OpSuite("registered_relu_copy.npz") {
            @Override
            protected void runCase(CaseData d) {
                Tensor x = d.param("x");
                Tensor out = x.relu();
                d.compare("out", out);
            }
        });
        writeRelu(dir.resolve("registered_relu_copy.npz"), 0.5);
        String out = run(dir, 1);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("registered_relu_copy.npz again f32 out ") && l.endsWith("FAIL")), out);
    }

    @Test
    void aFixtureWithoutASuiteIsListedAsNotChecked(@TempDir Path dir) throws Exception {
        writeRelu(dir.resolve("relu.npz"), 0);
        writeRelu(dir.resolve("nobody_reads_this.npz"), 0);
        String out = run(dir, 0);
        assertTrue(out.contains("nobody_reads_this.npz -  not checked: no suite for it"), out);
        assertTrue(out.contains("1 not checked:"), out);
    }

    @Test
    void emptyDirectoryIsAnError(@TempDir Path dir) {
        String out = run(dir, 2);
        assertTrue(out.contains("no fixture files"), out);
    }
}
