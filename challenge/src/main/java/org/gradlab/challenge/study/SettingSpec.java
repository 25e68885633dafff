package org.gradlab.challenge.study;

import java.util.List;

/**
 * One setting a study may give: its dotted key (e.g. {@code optimizer.lr}), its kind, the value an experiment has
 * when neither the defaults nor its own {@code set} give one, the names allowed for a choice, and whether it may be
 * null (meaning "not used", e.g. {@code clip_grad_norm: null}).
 */
record SettingSpec(String key, SettingKind kind, Object fallback, List<String> choices, boolean nullable) {

    String allowed() {
        String base = kind == SettingKind.CHOICE ? String.join(", ", choices) : kind.words;
        return nullable ? base + " (or null)" : base;
    }

    Object convert(YamlNode node, Where where) {
        if (node.isNull()) {
            if (nullable) {
                return null;
            }
            throw where.error(node, "may not be null", allowed());
        }
        return kind.convert(node, this, where);
    }
}
