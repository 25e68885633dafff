package org.gradlab.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.StochasticDepth;
import org.junit.jupiter.api.Test;

class EfficientNetTest {
    @Test
    void b0HasTorchvisionsParameterCount() {
        EfficientNet m = EfficientNet.b0(3, 1000, new Generator(0));
        System.out.println("EfficientNet-B0 (1000 classes): " + m.parameterCount() + " parameters");
        assertEquals(5_288_548, m.parameterCount());
        assertEquals(4_016_515, EfficientNet.b0(3, 7, new Generator(0)).parameterCount(), "efficientnet_b0.npz's 7-class model");
        // grayscale stem: 32 x 1 x 3 x 3 instead of 32 x 3 x 3 x 3
        assertEquals(4_016_515 - 2 * 32 * 9, EfficientNet.b0(1, 7, new Generator(0)).parameterCount());
    }

    @Test
    void stateDictNamesAreTorchvisions() throws IOException {
        EfficientNet m = EfficientNet.b0(3, 7, new Generator(0));
        try (Npz z = Npz.open(SharedFiles.file("golden/efficientnet_b0.npz"))) {
            Set<String> params = new TreeSet<>();
            Set<String> buffers = new TreeSet<>();
            for (String k : z.keys()) {
                if (k.startsWith("model.f64.gradnorm.")) {
                    params.add(k.substring("model.f64.gradnorm.".length()));
                } else if (k.startsWith("model.f64.after_forward.")) {
                    buffers.add(k.substring("model.f64.after_forward.".length()));
                }
            }
            assertEquals(params, new TreeSet<>(m.namedParameters().keySet()));
            assertEquals(buffers, new TreeSet<>(m.namedBuffers().keySet()));
        }
    }

    @Test
    void stochasticDepthGrowsLinearlyPerBlock() {
        EfficientNet m = EfficientNet.b0(3, 7, new Generator(0));
        int b = 0;
        for (Module s : m.namedModules().values()) {
            if (s instanceof StochasticDepth d) {
                assertEquals(0.2 * b / 16, d.p, 1e-15, "block " + b);
                b++;
            }
        }
        assertEquals(16, b);
    }

    @Test
    void dropPathDropsWholeSamplesAndScalesTheRest() {
        try (MemoryScope s = MemoryScope.open()) {
            StochasticDepth d = new StochasticDepth(0.5, new Generator(5));
            Tensor x = Tensor.ones(DType.F64, Device.CPU, 64, 2, 3, 3);
            double[] out = d.forward(x).toDoubleArray();
            int dropped = 0;
            for (int n = 0; n < 64; n++) {
                double v = out[n * 18];
                assertTrue(v == 0 || v == 2, "sample " + n + " got " + v);
                for (int j = 1; j < 18; j++) {
                    assertEquals(v, out[n * 18 + j], "one mask per sample");
                }
                dropped += v == 0 ? 1 : 0;
            }
            assertNotEquals(0, dropped);
            assertNotEquals(64, dropped);
            d.eval();
            assertArrayEquals(x.toDoubleArray(), d.forward(x).toDoubleArray());
        }
    }

    @Test
    void runsOnGrayscale28x28() {
        try (MemoryScope s = MemoryScope.open()) {
            EfficientNet m = EfficientNet.b0(1, 2, new Generator(1));
            Tensor x = Tensor.uniform(new Generator(2), 0, 1, DType.F32, Device.CPU, 2, 1, 28, 28);
            Tensor y = m.forward(x);
            assertArrayEquals(new int[] {2, 2}, y.shape());
            y.sum().backward();
            assertTrue(m.child("features").submodule("0.0").namedParameters().get("weight").grad() != null);
        }
    }
}
