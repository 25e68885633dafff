package org.gradlab.challenge.study;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of one experiment by dotted key ({@link SettingsSchema#keys()}), fully resolved: the schema's
 * fallbacks, overridden by the study's {@code defaults}, by the experiment it builds on and by its own {@code set}.
 * Immutable.
 */
public record Settings(Map<String, Object> values) {
    public Settings {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** The schema's fallback for every key. */
    public static Settings fallbacks() {
        return new Settings(SettingsSchema.fallbacks());
    }

    /** A copy with {@code key} set to {@code value}. */
    public Settings with(String key, Object value) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("no setting '" + key + "': expected one of " + SettingsSchema.keys());
        }
        Map<String, Object> m = new LinkedHashMap<>(values);
        m.put(key, value);
        return new Settings(m);
    }

    public Object get(String key) {
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("no setting '" + key + "': expected one of " + SettingsSchema.keys());
        }
        return values.get(key);
    }

    public String text(String key) {
        return (String) get(key);
    }

    public double number(String key) {
        return (Double) get(key);
    }

    /** A nullable number (null = not used). */
    public Double optionalNumber(String key) {
        return (Double) get(key);
    }

    public int integer(String key) {
        return (Integer) get(key);
    }

    public Integer optionalInteger(String key) {
        return (Integer) get(key);
    }

    public boolean flag(String key) {
        return (Boolean) get(key);
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> list(String key) {
        return (List<T>) get(key);
    }

    /** The keys whose values differ from {@code other}'s, in schema order. */
    public Map<String, Object> changesFrom(Settings other) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (!Objects.equals(v, other.values.get(k))) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** A value as the study file would write it. */
    public static String format(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d) {
            // YAML 1.1 reads 1.0E-4 as a number but 1.0E4 as text: always give the exponent a sign
            return String.valueOf(d).replaceFirst("E(\\d)", "E+$1");
        }
        if (v instanceof List<?> l) {
            return "[" + String.join(", ", l.stream().map(Settings::format).toList()) + "]";
        }
        return String.valueOf(v);
    }
}
