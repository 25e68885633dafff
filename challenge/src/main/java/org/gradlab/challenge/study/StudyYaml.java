package org.gradlab.challenge.study;

import java.util.Map;

/** Writes an experiment back as a study file of its own (every setting spelled out), e.g. for a saved model. */
public final class StudyYaml {
    private StudyYaml() {}

    /** A study with one experiment whose defaults are all of {@code e}'s settings. */
    public static String single(StudyExperiment e, Study.DatasetRef dataset) {
        StringBuilder sb = new StringBuilder();
        sb.append("name: ").append(quote(e.id())).append('\n');
        sb.append("dataset: {");
        if (dataset.name() != null) {
            sb.append("name: ").append(dataset.name()).append(", size: ").append(dataset.size());
        }
        if (dataset.file() != null) {
            sb.append(dataset.name() != null ? ", " : "").append("file: ").append(quote(dataset.file().toString()));
        }
        sb.append("}\ndefaults:\n");
        for (Map.Entry<String, Object> kv : e.settings().values().entrySet()) {
            sb.append("  ").append(kv.getKey()).append(": ").append(Settings.format(kv.getValue())).append('\n');
        }
        sb.append("experiments:\n  - {id: ").append(quote(e.id())).append(", name: ").append(quote(e.name())).append("}\n");
        return sb.toString();
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
