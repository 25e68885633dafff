package org.gradlab.nn.golden;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;

/** optim.npz, schedulers.npz and transforms.npz through the suites that {@code verify} runs (parameters from MANIFEST.json). */
class TrainingGoldenSuitesTest {

    /** Runs the registered suite of {@code file}; every line must pass and nothing may go unchecked. */
    static Reporter run(String file) throws IOException {
        ModelGoldenSuites.registerAll();
        GoldenSuite s = GoldenCases.forFile(file).orElseThrow();
        Reporter r = new Reporter(null);
        try (Npz z = Npz.open(SharedFiles.file("golden/" + file))) {
            s.run(z, r);
        }
        assertTrue(r.failures().isEmpty(), () -> r.failures().stream().map(Reporter.Line::format).collect(Collectors.joining("\n")));
        assertTrue(r.notChecked().isEmpty(), () -> r.notChecked().toString());
        return r;
    }

    static long casesChecked(Reporter r) {
        return r.lines().stream().map(Reporter.Line::caseName).distinct().count();
    }

    @Test
    void optimizers() throws IOException {
        Reporter r = run("optim.npz");
        assertEquals(10, casesChecked(r));
        // per case, dtype and step: both parameters, plus their state buffers (none for plain SGD)
        assertEquals(2 * 3 * 2, r.lines().stream().filter(l -> l.caseName().equals("sgd")).count());
        assertEquals(2 * 3 * 2 * 3, r.lines().stream().filter(l -> l.caseName().equals("adamw")).count());
    }

    @Test
    void schedulers() throws IOException {
        Reporter r = run("schedulers.npz");
        assertEquals(8, casesChecked(r));
        assertEquals(8 + 2, r.lines().size(), "every lr sequence, and OneCycle's two momentum sequences");
    }

    @Test
    void transforms() throws IOException {
        Reporter r = run("transforms.npz");
        assertEquals(3 * 12, r.lines().size(), "3 images x 12 transforms");
    }

    @Test
    void theManifestDrivesTheOptimizer() throws IOException {
        try (Npz z = Npz.open(SharedFiles.file("golden/optim.npz"))) {
            var c = GoldenManifest.cases(z).get("adamw_wd0p1_lr0p01");
            var opt = OptimSuite.optimizer(c, List.of(org.gradlab.engine.Tensor.of(new double[] {1}, 1)));
            Map<String, Double> g = opt.paramGroups().get(0).options();
            assertEquals(0.01, g.get("lr"));
            assertEquals(0.1, g.get("weight_decay"));
        }
    }

    @Test
    void pythonCallsParseWithDefaultsNestingAndLambdas() {
        PyCall s = PyCall.parse("SequentialLR([LinearLR(start_factor=0.1,total_iters=3), CosineAnnealingLR(T_max=12)], milestones=[3])");
        assertEquals("SequentialLR", s.name());
        assertEquals(2, ((List<?>) s.args().get(0)).size());
        assertEquals(List.of(3.0), s.kwargs().get("milestones"));
        PyCall l = PyCall.parse("LambdaLR(lambda e: min(1, (e+1)/5))");
        assertEquals(new PyCall.Lambda("lambda e: min(1, (e+1)/5)"), l.args().get(0));
        PyCall o = PyCall.parse("OneCycleLR(max_lr=1e-3, total_steps=100, anneal_strategy='linear') defaults: x");
        assertEquals(1e-3, o.number("max_lr"));
        assertEquals("linear", o.string("anneal_strategy", "cos"));
        assertTrue(o.bool("cycle_momentum", true));
        assertThrows(IllegalArgumentException.class, () -> PyCall.parse("StepLR(step_size=").integer("step_size"));
    }
}
