package org.gradlab.challenge.study;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradlab.challenge.predict.Ensembles;

/**
 * A named combination of experiments of a study, from the study-level {@code ensembles} list:
 * <pre>
 * ensembles:
 *   - {name: mean3, members: [a, b, c], method: mean}   # mean | rank | or
 * </pre>
 * {@code or} flags the operating-point class when any member flags it at its own operating point, so its members
 * need {@code operating_point.class}.
 */
public record EnsembleSpec(String name, String method, List<String> members) {
    private static final List<String> KEYS = List.of("name", "members", "method");

    public EnsembleSpec {
        members = List.copyOf(members);
    }

    /** Reads the {@code ensembles} list; members must name experiments of the study. */
    static List<EnsembleSpec> parse(YamlNode list, String file, List<String> ids) {
        Where where = new Where(file, "ensembles");
        if (!list.isList()) {
            throw where.wrongType(list, "a list of {name, members: [ids], method: mean|rank|or}");
        }
        List<EnsembleSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>(ids);
        for (YamlNode n : list.list()) {
            if (!n.isMap()) {
                throw where.wrongType(n, "a mapping {name, members: [ids], method: mean|rank|or}");
            }
            Map<String, YamlNode> m = n.map();
            for (Map.Entry<String, YamlNode> e : m.entrySet()) {
                if (!KEYS.contains(e.getKey())) {
                    throw where.at("ensembles[]." + e.getKey()).error(e.getValue(), "unknown key", String.join(", ", KEYS));
                }
            }
            if (!(m.get("name") != null && m.get("name").value() instanceof String name)) {
                throw where.at("ensembles[].name").error(m.getOrDefault("name", n), "every ensemble needs a name",
                        "text not used as an experiment id");
            }
            if (!names.add(name)) {
                throw where.at("ensembles[].name").error(m.get("name"), "'" + name + "' is already an experiment or ensemble",
                        "a new name");
            }
            String method = "mean";
            if (m.containsKey("method")) {
                YamlNode mm = m.get("method");
                if (!(mm.value() instanceof String s && Ensembles.METHODS.contains(s))) {
                    throw where.at("ensembles[].method").error(mm, "got " + mm.describe(), String.join(", ", Ensembles.METHODS));
                }
                method = (String) mm.value();
            }
            YamlNode mem = m.get("members");
            if (mem == null || !mem.isList() || mem.list().size() < 2) {
                throw where.at("ensembles[].members").error(mem == null ? n : mem, "an ensemble needs at least two members",
                        "a list of experiment ids");
            }
            List<String> members = new ArrayList<>();
            for (YamlNode e : mem.list()) {
                String id = e.value() instanceof Integer i ? String.format("%02d", i) : String.valueOf(e.value());
                if (!ids.contains(id)) {
                    throw where.at("ensembles[].members").error(e, "no experiment '" + id + "'", String.join(", ", ids));
                }
                members.add(id);
            }
            out.add(new EnsembleSpec(name, method, members));
        }
        return out;
    }
}
