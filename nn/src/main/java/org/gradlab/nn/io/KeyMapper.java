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

    /** The outcome: tensors to load (target names), and what was skipped, missing or unexpected. */
    public record Result(LinkedHashMap<String, Tensor> mapped, List<String> skipped, List<String> missing, List<String> unexpected) {
        /** A one-paragraph human-readable report. */
        public String report() {
            return "mapped " + mapped.size() + " tensors; skipped (head shape differs, model keeps its own): " + skipped + "; missing in source: " + missing
                    + "; unexpected in source: " + unexpected;
        }
    }

    public static KeyMapper identity() {
        return new KeyMapper();
    }

    /** Identity names; {@code fc.*} is a replaceable head. */
    public static KeyMapper torchvisionResNet18() {
        return new KeyMapper().head("fc.");
    }

    /** Identity names; {@code classifier.*} (Dropout, Linear) is a replaceable head. */
    public static KeyMapper torchvisionEfficientNet() {
        return new KeyMapper().head("classifier.");
    }

    /** Identity names, legacy MLP names mapped; {@code heads.*} is a replaceable head. */
    public static KeyMapper torchvisionViT() {
        return new KeyMapper().renameInfix(".mlp.linear_1.", ".mlp.0.").renameInfix(".mlp.linear_2.", ".mlp.3.").head("heads.");
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
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Map.Entry<String, Tensor> e : source.entrySet()) {
            String name = targetName(e.getKey());
            int[] want = targetShapes.get(name);
            if (want == null) {
                unexpected.add(e.getKey());
                continue;
            }
            int[] got = e.getValue().shape();
            if (!sameShape(got, want)) {
                String what = name + " " + Shape.str(got) + " vs model " + Shape.str(want);
                if (headPrefixes.stream().anyMatch(name::startsWith)) {
                    skipped.add(what);
                    seen.add(name);
                    continue;
                }
                throw new IllegalArgumentException("KeyMapper: shape mismatch outside the head: " + what + " (source key " + e.getKey() + ")");
            }
            mapped.put(name, e.getValue());
        }
        List<String> missing = new ArrayList<>();
        for (String k : targetShapes.keySet()) {
            if (!mapped.containsKey(k) && !seen.contains(k)) {
                missing.add(k);
            }
        }
        return new Result(mapped, skipped, missing, unexpected);
    }

    /** Equal shapes, treating a 0-d tensor and shape [1] alike (PyTorch's num_batches_tracked). */
    private static boolean sameShape(int[] a, int[] b) {
        if (Arrays.equals(a, b)) {
            return true;
        }
        return Shape.numel(a) == 1 && Shape.numel(b) == 1 && a.length <= 1 && b.length <= 1;
    }
}
