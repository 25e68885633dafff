package org.gradlab.nn.models;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.Identity;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.Sequential;
import org.junit.jupiter.api.Test;

/** Parameter names against the golden files and parameter counts against the published table. */
class ArchitectureTest {
    /** id -> params from shared/challenge/published-results.csv (rows with a params value). */
    private static Map<Integer, Long> publishedParams() throws IOException {
        Map<Integer, Long> m = new HashMap<>();
        List<String> lines = Files.readAllLines(SharedFiles.file("challenge/published-results.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        int pi = header.indexOf("params");
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            if (!f[pi].isBlank()) {
                m.put(Integer.parseInt(f[0]), Long.parseLong(f[pi]));
            }
        }
        return m;
    }

    @Test
    void parameterCountsMatchPublishedResults() throws IOException {
        Map<Integer, Long> pub = publishedParams();
        assertEquals(Set.of(1, 6, 7, 8, 9, 10, 21, 23, 25), pub.keySet());
        for (Map.Entry<Integer, Long> e : pub.entrySet()) {
            Module m = ChallengeModels.forExperiment(e.getKey(), new Generator(e.getKey()));
            assertEquals(e.getValue(), m.parameterCount(), "exp " + e.getKey());
        }
        ResNet frozen = ChallengeModels.exp24ResNet18Frozen(new Generator(1));
        assertEquals(3591, frozen.parameterCount());
        assertEquals(11_180_103, frozen.totalParameterCount());
    }

    private static Set<String> keysUnder(String file, String prefix) throws IOException {
        Set<String> s = new TreeSet<>();
        try (Npz z = Npz.open(SharedFiles.file("golden/" + file))) {
            for (String k : z.keys()) {
                if (k.startsWith(prefix)) {
                    s.add(k.substring(prefix.length()));
                }
            }
        }
        return s;
    }

    @Test
    void stateDictKeysMatchGoldenModels() throws IOException {
        assertEquals(keysUnder("model01.npz", "model.f64.init."),
                new TreeSet<>(ChallengeModels.exp01Baseline(new Generator(1)).stateDict().keySet()));
        assertEquals(keysUnder("model08.npz", "model.f64.init."),
                new TreeSet<>(ChallengeModels.exp08BatchNorm(new Generator(1)).stateDict().keySet()));
        ResNet r = ResNet.resnet18(7, new Generator(1));
        assertEquals(keysUnder("resnet18.npz", "model.f64.gradnorm."), new TreeSet<>(r.namedParameters().keySet()));
        assertEquals(keysUnder("resnet18.npz", "model.f64.after_forward."), new TreeSet<>(r.namedBuffers().keySet()));
        // shapes of the golden init tensors
        try (Npz z = Npz.open(SharedFiles.file("golden/model08.npz"))) {
            for (Map.Entry<String, Tensor> e : ChallengeModels.exp08BatchNorm(new Generator(1)).stateDict().entrySet()) {
                int[] want = z.get("model.f64.init." + e.getKey()).shape();
                if (e.getValue().dim() > 0) {
                    assertArrayEquals(want, e.getValue().shape(), e.getKey());
                }
            }
        }
    }

    @Test
    void resnetOrderAndVariants() {
        ResNet r = ResNet.resnet18(7, new Generator(2));
        List<String> keys = List.copyOf(r.stateDict().keySet());
        assertEquals(List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                "bn1.num_batches_tracked", "layer1.0.conv1.weight"), keys.subList(0, 7));
        assertTrue(keys.contains("layer2.0.downsample.0.weight"));
        assertTrue(keys.contains("layer4.0.downsample.1.running_var"));
        assertFalse(keys.contains("layer1.0.downsample.0.weight"));
        assertEquals(List.of("fc.weight", "fc.bias"), keys.subList(keys.size() - 2, keys.size()));
        assertEquals(List.of("conv1", "bn1", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"),
                List.copyOf(r.children().keySet()));

        ResNet k = ChallengeModels.exp25KitchenSink(new Generator(3));
        assertArrayEquals(new int[] {64, 3, 3, 3}, k.stateDict().get("conv1.weight").shape());
        assertInstanceOf(Identity.class, k.child("maxpool"));
        assertEquals("conv1.weight", List.copyOf(k.stateDict().keySet()).get(0), "replaced conv1 keeps its position");
        assertTrue(k.stateDict().containsKey("fc.1.weight"));
        assertInstanceOf(Dropout.class, ((Sequential) k.child("fc")).get(0));
        assertEquals(11_172_423, k.parameterCount());

        ResNet h = ResNet.resnet18(1000, new Generator(4)).replaceHead(new Linear(512, 7, new Generator(5)));
        assertEquals(11_180_103, h.parameterCount());
        h.freezeBackbone();
        assertEquals(512 * 7 + 7, h.parameterCount());
        assertTrue(h.stateDict().get("fc.weight").requiresGrad());
        assertFalse(h.stateDict().get("layer4.1.conv2.weight").requiresGrad());
    }
}
