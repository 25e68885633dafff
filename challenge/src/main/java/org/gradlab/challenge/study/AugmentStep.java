package org.gradlab.challenge.study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One training-only augmentation step of a study file, with its parameters in a fixed order:
 * <ul>
 *   <li>{@code hflip: P}, {@code vflip: P}: [p]</li>
 *   <li>{@code rotate: DEGREES}: [degrees] (uniform in ±degrees)</li>
 *   <li>{@code color_jitter: [b, c, s, h]}: [brightness, contrast, saturation, hue]</li>
 *   <li>{@code affine: {degrees, translate: [x, y], scale: [lo, hi]}}: [degrees, x, y, lo, hi]</li>
 *   <li>{@code random_erasing: {p, scale: [lo, hi], ratio: [lo, hi], value}}: [p, lo, hi, rlo, rhi, value]</li>
 *   <li>{@code resized_crop: {size, scale: [lo, hi], ratio: [lo, hi]}}: [size, lo, hi, rlo, rhi] (torchvision's
 *       RandomResizedCrop, bilinear; size 0 or absent: the image's own size)</li>
 *   <li>{@code normalize: imagenet|half|{mean, std}}: no numbers, {@link #normalize()}. NOTE: a step of the
 *       training transform only, so evaluation stays un-normalised (the 25-experiment study's exp 14 trap).</li>
 * </ul>
 */
public record AugmentStep(String kind, List<Double> values, Normalization normalize) {
    static final List<String> KINDS = List.of("hflip", "vflip", "rotate", "color_jitter", "affine", "random_erasing", "resized_crop",
            "normalize");

    static AugmentStep of(String kind, YamlNode node, Where where) {
        return switch (kind) {
            case "hflip", "vflip" -> new AugmentStep(kind, List.of(probability(node, where)), null);
            case "rotate" -> new AugmentStep(kind, List.of(nonNegative(node, where, "degrees >= 0")), null);
            case "color_jitter" -> new AugmentStep(kind, numbers(node, where, 4), null);
            case "affine" -> {
                Map<String, YamlNode> m = fields(node, where, List.of("degrees", "translate", "scale"));
                List<Double> v = new ArrayList<>();
                v.add(m.containsKey("degrees") ? nonNegative(m.get("degrees"), where.at(where.key() + ".degrees"), "degrees >= 0") : 0);
                v.addAll(m.containsKey("translate") ? numbers(m.get("translate"), where.at(where.key() + ".translate"), 2) : List.of(0.1, 0.1));
                v.addAll(m.containsKey("scale") ? numbers(m.get("scale"), where.at(where.key() + ".scale"), 2) : List.of(0.9, 1.1));
                yield new AugmentStep(kind, List.copyOf(v), null);
            }
            case "random_erasing" -> {
                Map<String, YamlNode> m = fields(node, where, List.of("p", "scale", "ratio", "value"));
                List<Double> v = new ArrayList<>();
                v.add(m.containsKey("p") ? probability(m.get("p"), where.at(where.key() + ".p")) : 0.5);
                v.addAll(m.containsKey("scale") ? numbers(m.get("scale"), where.at(where.key() + ".scale"), 2) : List.of(0.02, 0.33));
                v.addAll(m.containsKey("ratio") ? numbers(m.get("ratio"), where.at(where.key() + ".ratio"), 2) : List.of(0.3, 3.3));
                v.add(m.containsKey("value") ? number(m.get("value"), where.at(where.key() + ".value")) : 0.0);
                yield new AugmentStep(kind, List.copyOf(v), null);
            }
            case "resized_crop" -> {
                Map<String, YamlNode> m = fields(node, where, List.of("size", "scale", "ratio"));
                List<Double> v = new ArrayList<>();
                v.add(m.containsKey("size") ? (double) positiveInt(m.get("size"), where.at(where.key() + ".size")) : 0.0);
                v.addAll(m.containsKey("scale") ? range(m.get("scale"), where.at(where.key() + ".scale")) : List.of(0.08, 1.0));
                v.addAll(m.containsKey("ratio") ? range(m.get("ratio"), where.at(where.key() + ".ratio")) : List.of(0.75, 4.0 / 3.0));
                yield new AugmentStep(kind, List.copyOf(v), null);
            }
            case "normalize" -> new AugmentStep(kind, List.of(), Normalization.of(node, where));
            default -> throw where.error(node, "unknown augmentation step '" + kind + "'", String.join(", ", KINDS));
        };
    }

    private static Map<String, YamlNode> fields(YamlNode node, Where where, List<String> allowed) {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isMap()) {
            throw where.wrongType(node, "a mapping with " + String.join(", ", allowed));
        }
        for (Map.Entry<String, YamlNode> e : node.map().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                throw where.at(where.key() + "." + e.getKey()).error(e.getValue(), "unknown key", String.join(", ", allowed));
            }
        }
        return new LinkedHashMap<>(node.map());
    }

    static double number(YamlNode n, Where where) {
        if (n.value() instanceof Number x && !(n.value() instanceof Long)) {
            return x.doubleValue();
        }
        throw where.wrongType(n, "a number");
    }

    private static double probability(YamlNode n, Where where) {
        double p = number(n, where);
        if (p < 0 || p > 1) {
            throw where.error(n, "probability " + p + " outside [0, 1]", "a probability in [0, 1]");
        }
        return p;
    }

    private static double nonNegative(YamlNode n, Where where, String allowed) {
        double v = number(n, where);
        if (v < 0) {
            throw where.error(n, "negative value " + v, allowed);
        }
        return v;
    }

    private static int positiveInt(YamlNode n, Where where) {
        if (n.value() instanceof Integer i && i > 0) {
            return i;
        }
        throw where.error(n, "got " + n.describe(), "a positive whole number of pixels");
    }

    /** Two numbers {@code [lo, hi]} with {@code 0 < lo <= hi}. */
    private static List<Double> range(YamlNode n, Where where) {
        List<Double> v = numbers(n, where, 2);
        if (!(v.get(0) > 0) || v.get(0) > v.get(1)) {
            throw where.error(n, "got " + v, "[lo, hi] with 0 < lo <= hi");
        }
        return v;
    }

    /** A list of numbers; {@code size} < 0 accepts any length. */
    static List<Double> numbers(YamlNode n, Where where, int size) {
        String allowed = size < 0 ? "a list of numbers" : "a list of " + size + " numbers";
        if (!n.isList() || (size >= 0 && n.list().size() != size)) {
            throw where.error(n, "got " + (n.isList() ? "a list of " + n.list().size() : n.describe()), allowed);
        }
        List<Double> out = new ArrayList<>();
        for (YamlNode e : n.list()) {
            out.add(number(e, where));
        }
        return List.copyOf(out);
    }

    /** The step's YAML form, e.g. {@code {rotate: 15.0}}. */
    @Override
    public String toString() {
        return switch (kind) {
            case "hflip", "vflip", "rotate" -> "{" + kind + ": " + values.get(0) + "}";
            case "color_jitter" -> "{color_jitter: " + values + "}";
            case "affine" -> "{affine: {degrees: " + values.get(0) + ", translate: " + values.subList(1, 3) + ", scale: "
                    + values.subList(3, 5) + "}}";
            case "random_erasing" -> "{random_erasing: {p: " + values.get(0) + ", scale: " + values.subList(1, 3)
                    + ", ratio: " + values.subList(3, 5) + ", value: " + values.get(5) + "}}";
            case "resized_crop" -> "{resized_crop: {" + (values.get(0) > 0 ? "size: " + values.get(0).intValue() + ", " : "")
                    + "scale: " + values.subList(1, 3) + ", ratio: " + values.subList(3, 5) + "}}";
            default -> "{normalize: " + normalize + "}";
        };
    }
}
