package org.gradlab.nn.golden;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.function.BiFunction;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** MBConv, EfficientNet-B0 and ViT-Tiny (2 layers) against PyTorch with generated weights, float64 and float32. */
class GeneratedWeightsGoldenTest {
    private static void check(String file, DType dt, BiFunction<Npz, DType, GoldenReport> run) throws IOException {
        try (Npz z = Npz.open(SharedFiles.file("golden/" + file))) {
            GoldenReport r = run.apply(z, dt);
            double worstRelative = r.checks().stream().filter(c -> c.rtol() > 0).mapToDouble(Check::relErr).max().orElse(0);
            System.out.println(r.name() + ": " + r.checks().size() + " checks, worst relErr logits "
                    + r.worstRelErr("logits") + ", worst of the relative checks " + worstRelative);
            assertTrue(r.passed(), r::toString);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32"})
    void mbconv(DType dt) throws IOException {
        check("mbconv.npz", dt, (z, d) -> GeneratedWeightsGolden.mbconv(z, d, Device.CPU));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32"})
    void efficientnetB0(DType dt) throws IOException {
        check("efficientnet_b0.npz", dt, (z, d) -> GeneratedWeightsGolden.efficientnetB0(z, d, Device.CPU));
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32"})
    void vitTiny(DType dt) throws IOException {
        check("vit_tiny.npz", dt, (z, d) -> GeneratedWeightsGolden.vitTiny(z, d, Device.CPU));
    }
}
