package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.GoldenVerify;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.junit.jupiter.api.Test;

/**
 * Engine vs PyTorch golden fixtures, one test per file, through the same suites as the
 * {@link GoldenVerify} CLI. A missing fixture fails.
 */
class GoldenFixturesTest {

    static Reporter verify(String file, int minChecks) throws Exception {
        Path path = org.gradlab.engine.io.SharedFiles.root().resolve("golden").resolve(file);
        assertTrue(Files.isRegularFile(path), "golden fixture missing: " + path.toAbsolutePath());
        GoldenSuite suite = GoldenCases.forFile(file).orElseThrow();
        Reporter r = new Reporter(null);
        try (Npz npz = Npz.open(path)) {
            suite.run(npz, r);
        }
        String failures = r.failures().stream().map(Reporter.Line::format).collect(Collectors.joining("\n"));
        assertEquals(0, r.failures().size(), file + " failures:\n" + failures);
        assertTrue(r.lines().size() >= minChecks, file + ": only " + r.lines().size() + " checks, expected >= " + minChecks);
        System.out.printf("%s: %d checks; worst relErr f64 %.2e, f32 %.2e%n", file, r.lines().size(),
                r.worstRelErr(file, "f64"), r.worstRelErr(file, "f32"));
        return r;
    }

    @Test
    void batchnorm2d() throws Exception {
        // 3 train cases x 2 dtypes x (out, 3 grads, 2 running, 2 batch stats) + eval x 2 x (out, 3 grads, 2 running)
        verify("batchnorm2d.npz", 3 * 2 * 8 + 2 * 6);
    }

    @Test
    void crossEntropy() throws Exception {
        verify("cross_entropy.npz", 16 * 2 * 2);
    }

    @Test
    void relu() throws Exception {
        verify("relu.npz", 4);
    }

    @Test
    void add() throws Exception {
        verify("add.npz", 6 * 2 * 3);
    }

    @Test
    void reshape() throws Exception {
        verify("reshape.npz", 3 * 2 * 2);
    }

    @Test
    void linear() throws Exception {
        verify("linear.npz", 3 * 2 * 4 + 2 * 3);
    }

    @Test
    void conv2dThroughTheVerifySuite() throws Exception {
        verify("conv2d.npz", 11 * 2 * 3);
    }

    @Test
    void maxpool2dThroughTheVerifySuite() throws Exception {
        verify("maxpool2d.npz", 6 * 2 * 3);
    }

    @Test
    void avgpoolThroughTheVerifySuite() throws Exception {
        verify("avgpool.npz", 7 * 2 * 2);
    }

    /** The activations this engine has ops for: each case's out and grad_x in both dtypes. */
    @Test
    void activations() throws Exception {
        Reporter r = verify("activations.npz", 1);
        for (String op : new String[] {"sigmoid", "silu", "gelu", "gelu_tanh"}) {
            for (String group : new String[] {"f64", "f32"}) {
                for (String array : new String[] {"out", "grad_x"}) {
                    assertTrue(r.lines().stream().anyMatch(l -> l.caseName().equals(op) && l.group().equals(group)
                            && l.array().equals(array) && l.pass()), op + " " + group + " " + array + " not checked");
                }
            }
        }
        assertTrue(r.notChecked().stream().anyMatch(n -> n.caseName().equals("hardswish")), "unhandled cases must be listed");
    }
}
