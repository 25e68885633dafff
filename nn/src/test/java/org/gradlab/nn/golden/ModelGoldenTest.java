package org.gradlab.nn.golden;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.gradlab.engine.DType;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;

/** Whole-model PyTorch golden comparisons (model01, model08, resnet18), float64 and float32 engines. */
class ModelGoldenTest {
    private static Path file(String name) {
        return SharedFiles.file("golden/" + name);
    }

    private static void assertReport(GoldenReport r) {
        System.out.println(r);
        assertTrue(r.passed(), () -> r.name() + " failed:\n" + r);
    }

    @Test
    void model01Float64() {
        assertReport(ModelGolden.model01(file("model01.npz"), DType.F64));
    }

    @Test
    void model01Float32() {
        assertReport(ModelGolden.model01(file("model01.npz"), DType.F32));
    }

    @Test
    void model08Float64() {
        assertReport(ModelGolden.model08(file("model08.npz"), DType.F64));
    }

    @Test
    void model08Float32() {
        assertReport(ModelGolden.model08(file("model08.npz"), DType.F32));
    }

    @Test
    void resnet18Float64() {
        assertReport(ModelGolden.resnet18(file("resnet18.npz"), DType.F64));
    }

    @Test
    void resnet18Float32() {
        assertReport(ModelGolden.resnet18(file("resnet18.npz"), DType.F32));
    }
}
