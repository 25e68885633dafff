package org.gradlab.challenge.study;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A study's {@code grid}: the cartesian product over dotted keys, each combination one experiment built on the
 * defaults, the last key varying fastest. Its id joins the values with '-' (e.g. {@code basic-cosine-resnet18}), its
 * name with " / ".
 */
final class GridExpansion {
    private GridExpansion() {}

    static List<StudyExperiment> expand(YamlNode grid, Settings defaults, Map<String, List<Object>> axesOut,
                                        BiFunction<String, YamlNode, Object> convert, Where where, List<String> takenIds) {
        if (!grid.isMap() || grid.map().isEmpty()) {
            throw where.wrongType(grid, "a mapping of dotted keys to lists of values, e.g. {augment.preset: [none, basic]}");
        }
        List<String> keys = new ArrayList<>();
        List<List<Object>> values = new ArrayList<>();
        for (Map.Entry<String, YamlNode> e : grid.map().entrySet()) {
            Where at = where.at("grid." + e.getKey());
            if (!e.getValue().isList() || e.getValue().list().isEmpty()) {
                throw at.wrongType(e.getValue(), "a non-empty list of values");
            }
            List<Object> vs = new ArrayList<>();
            for (YamlNode v : e.getValue().list()) {
                Object c = convert.apply(e.getKey(), v);
                if (vs.contains(c)) {
                    throw at.error(v, "value " + c + " appears twice", "distinct values");
                }
                vs.add(c);
            }
            keys.add(e.getKey());
            values.add(List.copyOf(vs));
            axesOut.put(e.getKey(), List.copyOf(vs));
        }
        List<StudyExperiment> out = new ArrayList<>();
        int[] pick = new int[keys.size()];
        while (true) {
            Settings s = defaults;
            List<String> parts = new ArrayList<>();
            StringBuilder note = new StringBuilder("grid:");
            for (int k = 0; k < keys.size(); k++) {
                Object v = values.get(k).get(pick[k]);
                s = s.with(keys.get(k), v);
                parts.add(Settings.format(v));
                note.append(' ').append(keys.get(k)).append('=').append(Settings.format(v));
            }
            String id = String.join("-", parts);
            if (takenIds.contains(id) || out.stream().anyMatch(x -> x.id().equals(id))) {
                throw where.error(grid, "grid id '" + id + "' clashes with another experiment", "ids that differ");
            }
            out.add(new StudyExperiment(id, String.join(" / ", parts), 0, null, note.toString(), s));
            int k = keys.size() - 1;
            while (k >= 0 && ++pick[k] == values.get(k).size()) {
                pick[k] = 0;
                k--;
            }
            if (k < 0) {
                return out;
            }
        }
    }
}
