package org.gradlab.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Linear;
import org.junit.jupiter.api.Test;

/** Every challenge architecture takes in_channels (1 for grayscale) and num_classes. */
class ChannelsAndClassesTest {
    @Test
    void everyExperimentReadsOneChannelAndPredictsTwoClasses() {
        for (int id = 1; id <= 25; id++) {
            Module m = ChallengeModels.forExperiment(id, 1, 2, new Generator(id));
            Conv2d first = null;
            Linear last = null;
            for (Module s : m.namedModules().values()) {
                if (s instanceof Conv2d c && first == null) {
                    first = c;
                }
                if (s instanceof Linear l) {
                    last = l;
                }
            }
            assertEquals(1, first.inChannels, "exp " + id + " first conv");
            assertEquals(2, last.outFeatures, "exp " + id + " head");
            // the RGB / 7-class model differs exactly by the extra input-channel weights and head rows
            Module rgb = ChallengeModels.forExperiment(id, 3, 7, new Generator(id));
            long k2 = (long) first.kernelSize * first.kernelSize;
            assertEquals(rgb.totalParameterCount() - 2 * k2 * first.outChannels - 5L * (last.inFeatures + 1),
                    m.totalParameterCount(), "exp " + id);
        }
    }

    @Test
    void grayscaleModelsRunOnOneChannelBatches() {
        for (int id : new int[] {1, 8, 25}) {
            try (MemoryScope s = MemoryScope.open()) {
                Module m = ChallengeModels.forExperiment(id, 1, 2, new Generator(id));
                Tensor x = Tensor.uniform(new Generator(1), 0, 1, DType.F32, Device.CPU, 2, 1, 28, 28);
                assertArrayEquals(new int[] {2, 2}, m.forward(x).shape(), "exp " + id);
            }
        }
    }
}
