package org.gradlab.nn.golden;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.GoldenSuite;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;

class ModelGoldenSuitesTest {
    @Test
    void registersTheThreeModelFiles() {
        ModelGoldenSuites.registerAll();
        ModelGoldenSuites.registerAll();
        for (String f : new String[] {"model01.npz", "model08.npz", "resnet18.npz"}) {
            assertEquals(1, GoldenCases.all().stream().filter(s -> s.fileName().equals(f)).count(), f);
        }
    }

    @Test
    void model01SuiteReportsEveryArrayAndPasses() throws IOException {
        GoldenSuite s = ModelGoldenSuites.suites().get(0);
        Reporter r = new Reporter(null);
        try (Npz z = Npz.open(SharedFiles.file("golden/" + s.fileName()))) {
            s.run(z, r);
        }
        assertEquals(32, r.lines().size(), "16 arrays x 2 dtypes");
        assertTrue(r.failures().isEmpty(), () -> r.failures().toString());
        assertTrue(r.worstRelErr("model01.npz", "f64") < 1e-12);
    }
}
