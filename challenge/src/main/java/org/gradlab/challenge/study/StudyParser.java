package org.gradlab.challenge.study;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.challenge.data.MedMnistCatalog;

/**
 * Reads a study file (YAML) into a {@link Study}: top-level keys {@code name, title, description, dataset,
 * published, defaults, experiments, grid}. Every problem is a {@link StudyFileException} naming file, line, key and
 * what was allowed, thrown before anything runs.
 */
public final class StudyParser {
    private static final List<String> TOP = List.of("name", "title", "description", "dataset", "published", "defaults",
            "experiments", "grid", "ensembles");
    private static final List<String> EXPERIMENT_KEYS = List.of("id", "name", "chapter", "builds_on", "set", "note");

    private final String file;
    private final Path baseDir;

    private StudyParser(String file, Path baseDir) {
        this.file = file;
        this.baseDir = baseDir;
    }

    /** Reads a study file from disk. */
    public static Study read(Path path) throws IOException {
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            return new StudyParser(path.toString(), path.toAbsolutePath().getParent()).parse(YamlNode.read(r, path.toString()));
        }
    }

    /** Reads a study from a stream; {@code name} names it in errors, {@code baseDir} resolves relative paths. */
    public static Study read(InputStream in, String name, Path baseDir) throws IOException {
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return new StudyParser(name, baseDir).parse(YamlNode.read(r, name));
        }
    }

    private Where where(String key) {
        return new Where(file, key);
    }

    private Study parse(YamlNode root) {
        if (!root.isMap()) {
            throw where(null).wrongType(root, "a mapping with " + String.join(", ", TOP));
        }
        Map<String, YamlNode> top = root.map();
        for (Map.Entry<String, YamlNode> e : top.entrySet()) {
            if (!TOP.contains(e.getKey())) {
                throw where(e.getKey()).error(e.getValue(), "unknown key", String.join(", ", TOP));
            }
        }
        String name = requiredText(top, "name", root);
        String title = top.containsKey("title") ? text(top.get("title"), "title") : name;
        Study.DatasetRef dataset = dataset(top.get("dataset"), root);
        Path published = top.containsKey("published") && !top.get("published").isNull()
                ? baseDir.resolve(text(top.get("published"), "published")) : null;
        if (published != null && !Files.isRegularFile(published)) {
            throw where("published").error(top.get("published"), "no such file " + published,
                    "a CSV (id,auc,...) path relative to the study file");
        }
        Settings defaults = Settings.fallbacks();
        if (top.containsKey("defaults") && !top.get("defaults").isNull()) {
            YamlNode d = top.get("defaults");
            if (!d.isMap()) {
                throw where("defaults").wrongType(d, "a mapping of settings: " + SettingsSchema.allowedUnder(""));
            }
            defaults = apply(defaults, d, "");
        }
        List<StudyExperiment> experiments = new ArrayList<>();
        if (top.containsKey("experiments") && !top.get("experiments").isNull()) {
            experiments.addAll(experiments(top.get("experiments"), defaults));
        }
        Map<String, List<Object>> axes = new LinkedHashMap<>();
        if (top.containsKey("grid") && !top.get("grid").isNull()) {
            experiments.addAll(GridExpansion.expand(top.get("grid"), defaults, axes, this::convertSetting, where("grid"),
                    experiments.stream().map(StudyExperiment::id).toList()));
        }
        if (experiments.isEmpty()) {
            throw where(null).error(root, "the study has no experiments", "an 'experiments' list, a 'grid', or both");
        }
        List<EnsembleSpec> ensembles = top.containsKey("ensembles") && !top.get("ensembles").isNull()
                ? EnsembleSpec.parse(top.get("ensembles"), file, experiments.stream().map(StudyExperiment::id).toList()) : List.of();
        return new Study(name, title, file, dataset, published, defaults, experiments, axes, ensembles);
    }

    private Study.DatasetRef dataset(YamlNode d, YamlNode root) {
        if (d == null) {
            throw where("dataset").error(root, "missing", "{name: FLAG, size: 28|64|128|224} or {file: path.npz}");
        }
        if (!d.isMap()) {
            throw where("dataset").wrongType(d, "{name: FLAG, size: 28|64|128|224} or {file: path.npz}");
        }
        Map<String, YamlNode> m = d.map();
        for (Map.Entry<String, YamlNode> e : m.entrySet()) {
            if (!List.of("name", "size", "file").contains(e.getKey())) {
                throw where("dataset." + e.getKey()).error(e.getValue(), "unknown key", "name, size, file");
            }
        }
        int size = 28;
        if (m.containsKey("size")) {
            YamlNode s = m.get("size");
            if (!(s.value() instanceof Integer i) || !MedMnistCatalog.SIZES.contains(i)) {
                throw where("dataset.size").error(s, "got " + s.describe(), "28, 64, 128, 224");
            }
            size = (Integer) s.value();
        }
        String name = m.containsKey("name") ? text(m.get("name"), "dataset.name") : null;
        if (name != null && !MedMnistCatalog.has(name)) {
            throw where("dataset.name").error(m.get("name"), "unknown dataset '" + name + "'", String.join(", ", MedMnistCatalog.flags()));
        }
        Path f = m.containsKey("file") ? baseDir.resolve(text(m.get("file"), "dataset.file")) : null;
        if (name == null && f == null) {
            throw where("dataset").error(d, "names no data", "name (a MedMNIST flag) or file (an npz path)");
        }
        return new Study.DatasetRef(name, size, f);
    }

    private List<StudyExperiment> experiments(YamlNode list, Settings defaults) {
        if (!list.isList()) {
            throw where("experiments").wrongType(list, "a list of {id, name, chapter, builds_on, set, note}");
        }
        Map<String, Integer> index = new HashMap<>();
        Map<String, String> buildsOn = new HashMap<>();
        List<Map<String, YamlNode>> entries = new ArrayList<>();
        for (YamlNode n : list.list()) {
            if (!n.isMap()) {
                throw where("experiments").wrongType(n, "a mapping {id, name, chapter, builds_on, set, note}");
            }
            for (Map.Entry<String, YamlNode> e : n.map().entrySet()) {
                if (!EXPERIMENT_KEYS.contains(e.getKey())) {
                    throw where("experiments[]." + e.getKey()).error(e.getValue(), "unknown key", String.join(", ", EXPERIMENT_KEYS));
                }
            }
            String id = id(n.map().get("id"), n);
            if (index.containsKey(id)) {
                throw where("id").error(n.map().get("id"), "experiment id '" + id + "' appears twice", "unique ids");
            }
            index.put(id, entries.size());
            entries.add(n.map());
            YamlNode b = n.map().get("builds_on");
            if (b != null && !b.isNull()) {
                buildsOn.put(id, b.value() instanceof Integer i ? String.format("%02d", i) : text(b, "builds_on"));
            }
        }
        List<StudyExperiment> out = new ArrayList<>();
        Map<String, Settings> resolved = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Map<String, YamlNode> m = entries.get(i);
            String id = id(m.get("id"), null);
            String parent = buildsOn.get(id);
            if (parent != null) {
                checkBuildsOn(id, parent, m.get("builds_on"), index, buildsOn, i);
            }
            Settings s = parent == null ? defaults : resolved.get(parent);
            YamlNode set = m.get("set");
            if (set != null && !set.isNull()) {
                if (!set.isMap()) {
                    throw where("set").wrongType(set, "a mapping of dotted keys, e.g. {optimizer.lr: 1.0e-4}");
                }
                s = apply(s, set, "");
            }
            resolved.put(id, s);
            String name = m.containsKey("name") ? text(m.get("name"), "name") : id;
            int chapter = 0;
            if (m.containsKey("chapter") && !m.get("chapter").isNull()) {
                if (!(m.get("chapter").value() instanceof Integer c)) {
                    throw where("chapter").wrongType(m.get("chapter"), "an integer");
                }
                chapter = c;
            }
            String note = m.containsKey("note") && !m.get("note").isNull() ? text(m.get("note"), "note") : null;
            out.add(new StudyExperiment(id, name, chapter, parent, note, s));
        }
        return out;
    }

    private void checkBuildsOn(String id, String parent, YamlNode at, Map<String, Integer> index, Map<String, String> buildsOn,
                               int position) {
        List<String> chain = new ArrayList<>(List.of(id));
        for (String p = parent; p != null; p = buildsOn.get(p)) {
            if (chain.contains(p)) {
                chain.add(p);
                throw where("builds_on").error(at, "experiment '" + id + "' builds on a cycle: " + String.join(" -> ", chain),
                        "an earlier experiment's id, or null");
            }
            chain.add(p);
            if (!index.containsKey(p)) {
                break;
            }
        }
        Integer where = index.get(parent);
        if (where == null) {
            throw where("builds_on").error(at, "experiment '" + id + "' builds on '" + parent + "', which does not exist",
                    "an earlier experiment's id, or null");
        }
        if (where > position) {
            throw where("builds_on").error(at, "experiment '" + id + "' builds on '" + parent + "', which comes later in the file",
                    "an earlier experiment's id, or null");
        }
    }

    /**
     * {@code base} with the settings of mapping {@code node} applied: keys relative to {@code prefix}, nested mappings or
     * dotted keys ({@code optimizer.lr}) alike.
     */
    Settings apply(Settings base, YamlNode node, String prefix) {
        Settings s = base;
        for (Map.Entry<String, YamlNode> e : node.map().entrySet()) {
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            YamlNode v = e.getValue();
            if (key.equals("augment") && v.isList()) {
                s = s.with("augment.preset", "none").with("augment.steps", convertSetting("augment.steps", v));
            } else if (key.equals("early_stopping") && v.isNull()) {
                s = s.with("early_stopping.patience", null);
            } else if (SettingsSchema.spec(key) != null) {
                s = s.with(key, convertSetting(key, v));
            } else if (SettingsSchema.isSection(key)) {
                if (!v.isMap()) {
                    throw where(key).wrongType(v, "a mapping of " + SettingsSchema.allowedUnder(key));
                }
                s = apply(s, v, key);
            } else {
                int dot = key.lastIndexOf('.');
                String section = dot < 0 ? "" : key.substring(0, dot);
                boolean sectionExists = section.isEmpty() || SettingsSchema.isSection(section);
                String problem = e.getKey().contains(".") || !sectionExists ? "the dotted path names no setting" : "unknown key";
                String allowed = sectionExists ? SettingsSchema.allowedUnder(section) : String.join(", ", SettingsSchema.keys());
                throw where(key).error(v, problem, allowed);
            }
        }
        return s;
    }

    /** The YAML value of setting {@code key} as its Java value, range-checked. */
    Object convertSetting(String key, YamlNode v) {
        SettingSpec spec = SettingsSchema.spec(key);
        if (spec == null) {
            throw where(key).error(v, "the dotted path names no setting", String.join(", ", SettingsSchema.keys()));
        }
        Object value = spec.convert(v, where(key));
        SettingRanges.check(key, value, v, where(key));
        return value;
    }

    private String id(YamlNode n, YamlNode entry) {
        if (n == null || n.isNull()) {
            throw where("id").error(entry, "every experiment needs an id", "text such as \"01\" or \"baseline\"");
        }
        if (n.value() instanceof Integer i) {
            return String.format("%02d", i);
        }
        return text(n, "id");
    }

    private String requiredText(Map<String, YamlNode> m, String key, YamlNode at) {
        if (!m.containsKey(key)) {
            throw where(key).error(at, "missing", "text");
        }
        return text(m.get(key), key);
    }

    private String text(YamlNode n, String key) {
        if (n.value() instanceof String s) {
            return s;
        }
        throw where(key).wrongType(n, "text");
    }
}
