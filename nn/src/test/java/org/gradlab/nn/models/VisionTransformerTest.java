package org.gradlab.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;

class VisionTransformerTest {
    @Test
    void vitTinyHasTorchvisionsParameterCount() {
        VisionTransformer m = VisionTransformer.vitTiny(224, 16, 12, 3, 1000, new Generator(0));
        System.out.println("ViT-Tiny (224, patch 16, 12 layers, 1000 classes): " + m.parameterCount() + " parameters");
        assertEquals(5_717_416, m.parameterCount());
        assertEquals(931_010, VisionTransformer.vitTiny(32, 8, 2, 3, 2, new Generator(0)).parameterCount(), "vit_tiny.npz's model");
    }

    @Test
    void stateDictNamesAndOrderAreTorchvisions() throws IOException {
        VisionTransformer m = VisionTransformer.vitTiny(32, 8, 2, 3, 2, new Generator(0));
        List<String> want = new ArrayList<>();
        try (Npz z = Npz.open(SharedFiles.file("golden/vit_tiny.npz"))) {
            for (String k : z.keys()) {
                if (k.startsWith("model.f64.gradnorm.")) {
                    want.add(k.substring("model.f64.gradnorm.".length()));
                }
            }
        }
        List<String> got = new ArrayList<>(m.stateDict().keySet());
        assertEquals(new java.util.TreeSet<>(want), new java.util.TreeSet<>(got));
        assertEquals("class_token", got.get(0), "own parameters first, as torch's state_dict");
        assertEquals("conv_proj.weight", got.get(1));
        assertEquals("encoder.pos_embedding", got.get(3));
        assertEquals("encoder.layers.encoder_layer_0.ln_1.weight", got.get(4));
        assertEquals("heads.head.bias", got.get(got.size() - 1));
    }

    @Test
    void grayscale28WithPatch4TrainsAStep() {
        try (MemoryScope s = MemoryScope.open()) {
            VisionTransformer m = VisionTransformer.vitTiny(28, 4, 2, 1, 2, new Generator(1));
            Tensor x = Tensor.uniform(new Generator(2), 0, 1, DType.F32, Device.CPU, 3, 1, 28, 28);
            Tensor y = m.forward(x);
            assertArrayEquals(new int[] {3, 2}, y.shape());
            y.sum().backward();
            assertNotNull(m.namedParameters().get("class_token").grad());
            assertNotNull(m.namedParameters().get("encoder.layers.encoder_layer_1.self_attention.in_proj_weight").grad());
            assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 1, 32, 32)));
            assertThrows(IllegalArgumentException.class, () -> VisionTransformer.vitTiny(28, 5, 2, 1, 2, new Generator(1)));
        }
    }
}
