package org.gradlab.nn.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.golden.GoldenCases;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.golden.GradClipSuite;
import org.gradlab.nn.golden.ModelGoldenSuites;
import org.junit.jupiter.api.Test;

/** clip_grad_norm_ against PyTorch (grad_clip.npz through the verify suite) and its edge rules. */
class GradClippingTest {

    @Test
    void matchesPyTorchThroughTheVerifySuite() throws Exception {
        Reporter r = new Reporter(null);
        try (Npz npz = Npz.open(org.gradlab.engine.io.SharedFiles.root().resolve("golden").resolve("grad_clip.npz"))) {
            GradClipSuite.INSTANCE.run(npz, r);
        }
        assertEquals(0, r.failures().size(), r.failures().stream().map(Reporter.Line::format).collect(Collectors.joining("\n")));
        // clip, noclip x f64, f32 x (total_norm + 3 gradients)
        assertEquals(2 * 2 * 4, r.lines().size());
        ModelGoldenSuites.registerAll();
        assertSame(GradClipSuite.INSTANCE, GoldenCases.forFile("grad_clip.npz").orElseThrow(), "verify runs it");
    }

    @Test
    void maxNormTableEqualsTheManifest() throws Exception {
        String json = Files.readString(SharedFiles.file("golden/MANIFEST-v2.json"));
        int cases = json.indexOf("\"cases\"", json.indexOf("\"grad_clip.npz\""));
        for (Map.Entry<String, Double> e : GradClipSuite.MAX_NORM.entrySet()) {
            Matcher m = Pattern.compile("\"" + e.getKey() + "\":\\s*\\{[^{}]*\"max_norm\":\\s*([^,\\s}]+)").matcher(json);
            assertTrue(m.find(cases), "manifest case grad_clip.npz/" + e.getKey());
            assertEquals(Double.parseDouble(m.group(1)), e.getValue(), e.getKey());
        }
    }

    private static Tensor paramWithGrad(double[] g, int... shape) {
        Tensor p = Tensor.zeros(DType.F64, Device.CPU, shape).requiresGrad(true);
        p.setGrad(Tensor.of(g, shape));
        return p;
    }

    @Test
    void normsSkipMissingGradientsAndClipStridedOnes() {
        Tensor a = paramWithGrad(new double[] {3, 0, 0, -4}, 2, 2);
        Tensor noGrad = Tensor.zeros(DType.F64, Device.CPU, 3).requiresGrad(true);
        Tensor b = Tensor.zeros(DType.F64, Device.CPU, 2, 2).requiresGrad(true);
        b.setGrad(Tensor.of(new double[] {0, 12, 0, 0}, 2, 2).transpose(0, 1)); // a strided gradient
        List<Tensor> ps = List.of(a, noGrad, b);
        assertEquals(12, GradClipping.totalNorm(ps, Double.POSITIVE_INFINITY), 0);
        assertEquals(13, GradClipping.clipGradNorm(ps, 6.5), 1e-12);
        double c = 6.5 / (13 + 1e-6);
        assertArrayEquals(new double[] {3 * c, 0, 0, -4 * c}, a.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, 0, 12 * c, 0}, b.grad().toDoubleArray(), 1e-12);
        assertNull(noGrad.grad());
        assertEquals(6.5, GradClipping.totalNorm(ps, 2), 1e-5);
        assertEquals(0, GradClipping.clipGradNorm(List.of(noGrad), 1), 0);
        assertThrows(IllegalArgumentException.class, () -> GradClipping.clipGradNorm(ps, -1));
    }
}
