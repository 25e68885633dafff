package org.gradlab.challenge.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The type of one setting of a study file, and how a YAML value becomes a Java value of it. */
enum SettingKind {
    INT("an integer"),
    DOUBLE("a number"),
    BOOL("true or false"),
    CHOICE("one of the names"),
    /** Free text (checked against the data later, e.g. a class name). */
    TEXT("text"),
    INT_LIST("a list of integers"),
    DOUBLE_LIST("a list of numbers"),
    /** none | imagenet | half | {mean: [..], std: [..]}: a {@link Normalization}. */
    NORMALIZE("none, imagenet, half or {mean: [..], std: [..]}"),
    /** none | inverse_frequency | [w0, w1, ...]: a String or a List of Double. */
    CLASS_WEIGHTS("none, inverse_frequency or a list of numbers [w0, w1, ...]"),
    /** A list of one-key mappings such as {hflip: 0.5}: a List of {@link AugmentStep}. */
    AUGMENT_STEPS("a list of steps such as [{hflip: 0.5}, {rotate: 15}]");

    final String words;

    SettingKind(String words) {
        this.words = words;
    }

    /** {@code node} as this kind; {@code where} names file, line and key for the error. */
    Object convert(YamlNode node, SettingSpec spec, Where where) {
        Object v = node.value();
        switch (this) {
            case INT -> {
                if (v instanceof Integer i) {
                    return i;
                }
                throw where.wrongType(node, spec.allowed());
            }
            case DOUBLE -> {
                if (v instanceof Number n && !(v instanceof Long)) {
                    return n.doubleValue();
                }
                throw where.wrongType(node, spec.allowed());
            }
            case BOOL -> {
                if (v instanceof Boolean b) {
                    return b;
                }
                throw where.wrongType(node, spec.allowed());
            }
            case TEXT -> {
                if (v instanceof String || v instanceof Integer) {
                    return String.valueOf(v);
                }
                throw where.wrongType(node, spec.allowed());
            }
            case CHOICE -> {
                if (v instanceof String s && spec.choices().contains(s)) {
                    return s;
                }
                throw where.error(node, (v instanceof String ? "unknown value '" + v + "'" : "got " + node.describe()),
                        String.join(", ", spec.choices()));
            }
            case INT_LIST, DOUBLE_LIST -> {
                if (!node.isList()) {
                    throw where.wrongType(node, words);
                }
                List<Object> out = new ArrayList<>();
                for (YamlNode e : node.list()) {
                    SettingKind element = this == INT_LIST ? INT : DOUBLE;
                    out.add(element.convert(e, new SettingSpec(spec.key(), element, null, List.of(), false), where));
                }
                return List.copyOf(out);
            }
            case NORMALIZE -> {
                return Normalization.of(node, where);
            }
            case CLASS_WEIGHTS -> {
                if (v instanceof String s && (s.equals("none") || s.equals("inverse_frequency"))) {
                    return s;
                }
                if (node.isList()) {
                    return DOUBLE_LIST.convert(node, spec, where);
                }
                throw where.wrongType(node, words);
            }
            case AUGMENT_STEPS -> {
                if (!node.isList()) {
                    throw where.wrongType(node, words);
                }
                List<AugmentStep> steps = new ArrayList<>();
                for (YamlNode e : node.list()) {
                    if (!e.isMap() || e.map().size() != 1) {
                        throw where.error(e, "an augmentation step must be a one-key mapping, got " + e.describe(),
                                String.join(", ", AugmentStep.KINDS));
                    }
                    Map.Entry<String, YamlNode> only = e.map().entrySet().iterator().next();
                    steps.add(AugmentStep.of(only.getKey(), only.getValue(), where.at(spec.key() + "." + only.getKey())));
                }
                return List.copyOf(steps);
            }
            default -> throw new IllegalStateException(name());
        }
    }
}
