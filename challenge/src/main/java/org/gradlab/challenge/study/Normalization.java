package org.gradlab.challenge.study;

import java.util.List;
import java.util.Map;

/**
 * A per-channel normalisation {@code (x - mean) / std} after ToTensor, or none.
 *
 * @param name "none", "imagenet", "half" (mean 0.5, std 0.5) or "custom"
 */
public record Normalization(String name, List<Double> mean, List<Double> std) {
    public static final Normalization NONE = new Normalization("none", List.of(), List.of());
    public static final Normalization IMAGENET = new Normalization("imagenet", List.of(0.485, 0.456, 0.406),
            List.of(0.229, 0.224, 0.225));
    public static final Normalization HALF = new Normalization("half", List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5));
    private static final String ALLOWED = "none, imagenet, half or {mean: [..], std: [..]}";

    static Normalization of(YamlNode node, Where where) {
        if (node.value() instanceof String s) {
            return switch (s) {
                case "none" -> NONE;
                case "imagenet" -> IMAGENET;
                case "half" -> HALF;
                default -> throw where.error(node, "unknown normalisation '" + s + "'", ALLOWED);
            };
        }
        if (!node.isMap()) {
            throw where.wrongType(node, ALLOWED);
        }
        Map<String, YamlNode> m = node.map();
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            if (!e.getKey().equals("mean") && !e.getKey().equals("std")) {
                throw where.at(where.key() + "." + e.getKey()).error(e.getValue(), "unknown key", "mean, std");
            }
        }
        if (!m.containsKey("mean") || !m.containsKey("std")) {
            throw where.error(node, "needs both mean and std", ALLOWED);
        }
        List<Double> mean = numbers(m.get("mean"), where.at(where.key() + ".mean"));
        List<Double> std = numbers(m.get("std"), where.at(where.key() + ".std"));
        if (mean.size() != std.size() || mean.isEmpty()) {
            throw where.error(node, "mean has " + mean.size() + " values and std " + std.size(), "one value per channel in each");
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw where.error(node, "std " + s + " is not positive", "positive standard deviations");
            }
        }
        return new Normalization("custom", mean, std);
    }

    private static List<Double> numbers(YamlNode n, Where where) {
        return AugmentStep.numbers(n, where, -1);
    }

    /** Whether this normalisation changes anything. */
    public boolean isNone() {
        return mean.isEmpty();
    }

    /** The mean for {@code channels} channels (a single value is used for a one-channel image). */
    public double[] mean(int channels) {
        return perChannel(mean, channels);
    }

    public double[] std(int channels) {
        return perChannel(std, channels);
    }

    private double[] perChannel(List<Double> v, int channels) {
        if (isNone()) {
            return new double[0];
        }
        if (v.size() != channels && !(channels == 1 && !name.equals("custom"))) {
            throw new IllegalArgumentException("normalize " + this + " gives " + v.size() + " values for " + channels
                    + " channels: expected one per channel");
        }
        double[] out = new double[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = channels == 1 && v.size() == 3 ? v.stream().mapToDouble(Double::doubleValue).average().orElse(0) : v.get(c);
        }
        return out;
    }

    @Override
    public String toString() {
        return name.equals("custom") ? "{mean: " + mean + ", std: " + std + "}" : name;
    }
}
