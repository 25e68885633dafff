package org.gradlab.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.models.EfficientNet;
import org.gradlab.nn.models.VisionTransformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torchvision's EfficientNet-B0 and ViT checkpoints map onto GradLab's models the way ResNet-18's
 * does: state dicts generated here, written as real .pth files, read back and mapped.
 */
class TorchvisionMappingTest {
    @TempDir
    Path dir;

    /** Float32 parameters and buffers (num_batches_tracked is int64 in PyTorch and left out here). */
    private static Map<String, Tensor> floatState(Map<String, Tensor> sd) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        sd.forEach((k, v) -> {
            if (!k.endsWith("num_batches_tracked")) {
                m.put(k, v);
            }
        });
        return m;
    }

    @Test
    void efficientNetB0ImageNetCheckpointLoadsIntoATwoClassModel() throws Exception {
        EfficientNet imagenet = EfficientNet.b0(3, 1000, new Generator(1));
        Path pth = dir.resolve("efficientnet_b0.pth");
        TorchZipWriter.write(pth, floatState(imagenet.stateDict()));
        LinkedHashMap<String, Tensor> loaded = TorchCheckpoint.load(pth);
        assertEquals(new ArrayList<>(floatState(imagenet.stateDict()).keySet()), new ArrayList<>(loaded.keySet()));

        EfficientNet mine = EfficientNet.b0(3, 2, new Generator(2));
        Tensor headBefore = mine.namedParameters().get("classifier.1.weight");
        float[] ownHead = headBefore.toFloatArray();
        KeyMapper.Result r = KeyMapper.torchvisionEfficientNet().apply(loaded, KeyMapper.shapesOf(mine.stateDict()));
        assertEquals(List.of("classifier.1.weight [1000,1280] vs model [2,1280]", "classifier.1.bias [1000] vs model [2]"), r.skipped());
        assertTrue(r.unexpected().isEmpty(), r.report());
        assertTrue(r.missing().stream().allMatch(k -> k.endsWith("num_batches_tracked")), r.report());
        mine.loadStateDict(r.mapped(), false);
        for (Map.Entry<String, Tensor> e : r.mapped().entrySet()) {
            assertArrayEquals(imagenet.stateDict().get(e.getKey()).toFloatArray(), mine.stateDict().get(e.getKey()).toFloatArray(), 0f, e.getKey());
        }
        assertArrayEquals(ownHead, mine.namedParameters().get("classifier.1.weight").toFloatArray(), 0f, "the new head keeps its own init");
    }

    @Test
    void rgbStemLoadsIntoAGrayscaleModelAsTheChannelSum() {
        Map<String, Tensor> src = new LinkedHashMap<>();
        float[] w = new float[2 * 3 * 1 * 1];
        for (int i = 0; i < w.length; i++) {
            w[i] = i + 1; // out 0: 1, 2, 3; out 1: 4, 5, 6
        }
        src.put("features.0.0.weight", Tensor.of(w, 2, 3, 1, 1));
        src.put("features.1.0.block.0.0.weight", Tensor.zeros(2, 3, 1, 1));
        Map<String, int[]> target = new LinkedHashMap<>();
        target.put("features.0.0.weight", new int[] {2, 1, 1, 1});
        target.put("features.1.0.block.0.0.weight", new int[] {2, 1, 1, 1});
        // only the stem is adapted: the same mismatch anywhere else is an error
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> KeyMapper.torchvisionEfficientNet().apply(src, target));
        assertTrue(ex.getMessage().contains("features.1.0.block.0.0.weight [2,3,1,1] vs model [2,1,1,1]"), ex.getMessage());
        src.remove("features.1.0.block.0.0.weight");
        KeyMapper.Result r = KeyMapper.torchvisionEfficientNet().apply(src, target);
        assertEquals(List.of("features.0.0.weight"), r.adapted());
        assertArrayEquals(new float[] {6, 15}, r.mapped().get("features.0.0.weight").toFloatArray(), 0f);
        assertArrayEquals(new int[] {2, 1, 1, 1}, r.mapped().get("features.0.0.weight").shape());
    }

    @Test
    void vitCheckpointLoadsIntoAModelWithAnotherHead() throws Exception {
        VisionTransformer imagenet = VisionTransformer.vitTiny(32, 8, 2, 3, 1000, new Generator(1));
        Path pth = dir.resolve("vit_tiny.pth");
        TorchZipWriter.write(pth, imagenet.stateDict());
        VisionTransformer mine = VisionTransformer.vitTiny(32, 8, 2, 3, 2, new Generator(2));
        KeyMapper.Result r = KeyMapper.torchvisionViT().apply(TorchCheckpoint.load(pth), KeyMapper.shapesOf(mine.stateDict()));
        assertEquals(List.of("heads.head.weight [1000,192] vs model [2,192]", "heads.head.bias [1000] vs model [2]"), r.skipped());
        assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty(), r.report());
        mine.loadStateDict(r.mapped(), false);
        for (String k : r.mapped().keySet()) {
            assertArrayEquals(imagenet.stateDict().get(k).toFloatArray(), mine.stateDict().get(k).toFloatArray(), 0f, k);
        }
        // another image size changes the position embedding: a clear error, not a silent partial load
        VisionTransformer other = VisionTransformer.vitTiny(28, 4, 2, 3, 2, new Generator(3));
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> KeyMapper.torchvisionViT().apply(TorchCheckpoint.load(pth), KeyMapper.shapesOf(other.stateDict())));
        assertTrue(ex.getMessage().contains("vs model"), ex.getMessage());
    }

    @Test
    void vitLegacyMlpNamesAndHead() throws Exception {
        Map<String, Tensor> src = new LinkedHashMap<>();
        src.put("class_token", Tensor.zeros(1, 1, 4));
        src.put("encoder.layers.encoder_layer_0.self_attention.in_proj_weight", Tensor.zeros(12, 4));
        src.put("encoder.layers.encoder_layer_0.mlp.linear_1.weight", Tensor.zeros(8, 4));
        src.put("encoder.layers.encoder_layer_0.mlp.linear_2.bias", Tensor.zeros(4));
        src.put("encoder.layers.encoder_layer_0.mlp.3.weight", Tensor.zeros(4, 8));
        src.put("heads.head.weight", Tensor.zeros(1000, 4));
        Path pth = dir.resolve("vit.pth");
        TorchZipWriter.write(pth, src);
        Map<String, int[]> target = new LinkedHashMap<>();
        target.put("class_token", new int[] {1, 1, 4});
        target.put("encoder.layers.encoder_layer_0.self_attention.in_proj_weight", new int[] {12, 4});
        target.put("encoder.layers.encoder_layer_0.mlp.0.weight", new int[] {8, 4});
        target.put("encoder.layers.encoder_layer_0.mlp.3.bias", new int[] {4});
        target.put("encoder.layers.encoder_layer_0.mlp.3.weight", new int[] {4, 8});
        target.put("heads.head.weight", new int[] {2, 4});
        KeyMapper.Result r = KeyMapper.torchvisionViT().apply(TorchCheckpoint.load(pth), target);
        assertEquals(List.of("class_token", "encoder.layers.encoder_layer_0.self_attention.in_proj_weight",
                "encoder.layers.encoder_layer_0.mlp.0.weight", "encoder.layers.encoder_layer_0.mlp.3.bias",
                "encoder.layers.encoder_layer_0.mlp.3.weight"), new ArrayList<>(r.mapped().keySet()));
        assertEquals(1, r.skipped().size());
        assertTrue(r.missing().isEmpty() && r.unexpected().isEmpty(), r.report());
    }
}
