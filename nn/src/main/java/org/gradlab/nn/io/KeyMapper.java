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
 * [1000,512] and {@code fc.bias} [1000].
 */
public final class KeyMapper {
    private final Map<String, String> renames = new LinkedHashMap<>();
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
        for (Map.Entry<String, String> r : renames.entrySet()) {
            if (sourceKey.startsWith(r.getKey())) {
                return r.getValue() + sourceKey.substring(r.getKey().length());
            }
        }
        return sourceKey;
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
