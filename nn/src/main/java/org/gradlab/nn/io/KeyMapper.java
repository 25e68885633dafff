package org.gradlab.nn.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;

/**
 * Maps a loaded state dict (e.g. torchvision's ImageNet ResNet-18) onto the key names and
 * shapes of a target model, reporting everything it did not map.
 *
 * <p>Rules, in order: prefix renames ({@link #rename}); keys the target lacks are reported as
 * unexpected; a shape mismatch under a head prefix ({@link #head}) is skipped and reported (the
 * new head keeps its own initialisation), anywhere else it is an error; target keys nothing
 * provides are reported as missing. torchvision's ResNet-18 names ({@code conv1.weight},
 * {@code bn1.running_mean}, {@code layer1.0.conv1.weight}, ..., {@code fc.weight}) are used
 * unchanged by GradLab's ResNet-18, so {@link #torchvisionResNet18()} is the identity with
 * {@code fc.} as head: loading ImageNet weights into a 7-class model skips {@code fc.weight}
 * [1000,512] and {@code fc.bias} [1000]. EfficientNet-B0 and the ViTs use torchvision's names
 * too: {@link #torchvisionEfficientNet()} (head {@code classifier.}) and
 * {@link #torchvisionViT()} (head {@code heads.}; also maps the MLP names of checkpoints saved
 * before torchvision 0.13, {@code mlp.linear_1} / {@code mlp.linear_2}, to {@code mlp.0} /
 * {@code mlp.3}, as torchvision's own loader does).
 */
public final class KeyMapper {
    private final Map<String, String> renames = new LinkedHashMap<>();
    private final Map<String, String> infixRenames = new LinkedHashMap<>();
    private final List<String> headPrefixes = new ArrayList<>();
    private final List<String> inputConvs = new ArrayList<>();

    /**
     * The outcome: tensors to load (target names), and what was skipped, missing or unexpected;
     * {@code adapted} names input convolutions summed over their input channels.
     */
    public record Result(LinkedHashMap<String, Tensor> mapped, List<String> skipped, List<String> missing, List<String> unexpected,
                         List<String> adapted) {
        /** A one-paragraph human-readable report. */
        public String report() {
            return "mapped " + mapped.size() + " tensors" + (adapted.isEmpty() ? "" : " (summed over input channels for a 1-channel model: "
                    + adapted + ")") + "; skipped (head shape differs, model keeps its own): " + skipped + "; missing in source: " + missing
                    + "; unexpected in source: " + unexpected;
        }
    }

    public static KeyMapper identity() {
        return new KeyMapper();
    }

    /** Identity names; {@code fc.*} is a replaceable head. */
    public static KeyMapper torchvisionResNet18() {
        return new KeyMapper().head("fc.").inputConv("conv1.weight");
    }

    /** Identity names; {@code classifier.*} (Dropout, Linear) is a replaceable head. */
    public static KeyMapper torchvisionEfficientNet() {
        return new KeyMapper().head("classifier.").inputConv("features.0.0.weight");
    }

    /** Identity names, legacy MLP names mapped; {@code heads.*} is a replaceable head. */
    public static KeyMapper torchvisionViT() {
        return new KeyMapper().renameInfix(".mlp.linear_1.", ".mlp.0.").renameInfix(".mlp.linear_2.", ".mlp.3.").head("heads.").inputConv("conv_proj.weight");
    }

    /**
     * {@code key} (target name) is the convolution that reads the image: an RGB checkpoint's
     * weight (O, 3, k, k) loads into a 1-channel model as its sum over the input channels
     * (O, 1, k, k), so a gray image g gives what the RGB network gives for (g, g, g).
     */
    public KeyMapper inputConv(String key) {
        inputConvs.add(key);
        return this;
    }

    /** Source keys containing {@code from} have its first occurrence replaced by {@code to} (after prefix renames). */
    public KeyMapper renameInfix(String from, String to) {
        infixRenames.put(from, to);
        return this;
    }

    /** Source keys starting with {@code from} are renamed to start with {@code to}. */
    public KeyMapper rename(String from, String to) {
        renames.put(from, to);
        return this;
    }

    /** Keys under {@code prefix} (target names) are skipped, not rejected, when their shapes differ. */
    public KeyMapper head(String prefix) {
        headPrefixes.add(prefix);
        return this;
    }

    /** Names and shapes of a state dict, for {@link #apply}. */
    public static Map<String, int[]> shapesOf(Map<String, Tensor> stateDict) {
        Map<String, int[]> m = new LinkedHashMap<>();
        stateDict.forEach((k, v) -> m.put(k, v.shape()));
        return m;
    }

    public String targetName(String sourceKey) {
        String name = sourceKey;
        for (Map.Entry<String, String> r : renames.entrySet()) {
            if (name.startsWith(r.getKey())) {
                name = r.getValue() + name.substring(r.getKey().length());
                break;
            }
        }
        for (Map.Entry<String, String> r : infixRenames.entrySet()) {
            int at = name.indexOf(r.getKey());
            if (at >= 0) {
                name = name.substring(0, at) + r.getValue() + name.substring(at + r.getKey().length());
            }
        }
        return name;
    }

    /**
     * @param source loaded tensors
     * @param targetShapes the target model's state-dict names and shapes
     * @throws IllegalArgumentException on a shape mismatch outside every head prefix
     */
    public Result apply(Map<String, Tensor> source, Map<String, int[]> targetShapes) {
        LinkedHashMap<String, Tensor> mapped = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> adapted = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Map.Entry<String, Tensor> e : source.entrySet()) {
            String name = targetName(e.getKey());
            int[] want = targetShapes.get(name);
            if (want == null) {
                unexpected.add(e.getKey());
                continue;
            }
            Tensor value = e.getValue();
            if (inputConvs.contains(name) && toOneChannel(value.shape(), want)) {
                value = value.detach().sum(new int[] {1}, true);
                adapted.add(name);
            }
            int[] got = value.shape();
            if (!sameShape(got, want)) {
                String what = name + " " + Shape.str(got) + " vs model " + Shape.str(want);
                if (headPrefixes.stream().anyMatch(name::startsWith)) {
                    skipped.add(what);
                    seen.add(name);
                    continue;
                }
                throw new IllegalArgumentException("KeyMapper: shape mismatch outside the head: " + what + " (source key " + e.getKey() + ")");
            }
            mapped.put(name, value);
        }
        List<String> missing = new ArrayList<>();
        for (String k : targetShapes.keySet()) {
            if (!mapped.containsKey(k) && !seen.contains(k)) {
                missing.add(k);
            }
        }
        return new Result(mapped, skipped, missing, unexpected, adapted);
    }

    /** A conv weight (O, C>1, k, k) that a model wants as (O, 1, k, k). */
    private static boolean toOneChannel(int[] got, int[] want) {
        return got.length == 4 && want.length == 4 && got[1] > 1 && want[1] == 1 && got[0] == want[0] && got[2] == want[2] && got[3] == want[3];
    }

    /** Equal shapes, treating a 0-d tensor and shape [1] alike (PyTorch's num_batches_tracked). */
    private static boolean sameShape(int[] a, int[] b) {
        if (Arrays.equals(a, b)) {
            return true;
        }
        return Shape.numel(a) == 1 && Shape.numel(b) == 1 && a.length <= 1 && b.length <= 1;
    }
}
