package org.gradlab.challenge.study;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A study read from its file: what it is called, the data it trains on, and its experiments, each fully resolved.
 *
 * @param source    the file it was read from (a bundled study: its resource name)
 * @param published a CSV of published figures to compare against (id,auc,...), or null
 * @param defaults  the settings every experiment without {@code builds_on} starts from
 * @param grid      the grid's axes (dotted key and values, in file order); empty without a grid
 * @param ensembles the study-level combinations of experiments (see {@link EnsembleSpec})
 */
public record Study(String name, String title, String source, DatasetRef dataset, Path published, Settings defaults,
                    List<StudyExperiment> experiments, Map<String, List<Object>> grid, List<EnsembleSpec> ensembles) {

    /** The data of a study: a MedMNIST flag at a size, or a file. */
    public record DatasetRef(String name, int size, Path file) {
        @Override
        public String toString() {
            return file != null ? file.toString() : name + " (" + size + " px)";
        }
    }

    /** A study without ensembles. */
    public Study(String name, String title, String source, DatasetRef dataset, Path published, Settings defaults,
                 List<StudyExperiment> experiments, Map<String, List<Object>> grid) {
        this(name, title, source, dataset, published, defaults, experiments, grid, List.of());
    }

    public Study {
        ensembles = List.copyOf(ensembles);
        experiments = List.copyOf(experiments);
        grid = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(grid));
    }

    /** The same study on its MedMNIST dataset at image side {@code size} (28, 64, 128 or 224). */
    public Study atSize(int size) {
        if (!org.gradlab.challenge.data.MedMnistCatalog.SIZES.contains(size)) {
            throw new IllegalArgumentException("--size " + size + ": expected one of " + org.gradlab.challenge.data.MedMnistCatalog.SIZES);
        }
        if (dataset.name() == null) {
            throw new IllegalArgumentException("--size: study " + name + " reads " + dataset.file() + ", not a MedMNIST dataset by name");
        }
        return new Study(name, title, source, new DatasetRef(dataset.name(), size, null), published, defaults, experiments, grid, ensembles);
    }

    public StudyExperiment get(String id) {
        return experiments.stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException(source + ": no experiment '" + id + "': expected one of " + ids()));
    }

    public List<String> ids() {
        return experiments.stream().map(StudyExperiment::id).toList();
    }

    /**
     * The experiments named by {@code spec}: ids separated by commas, numeric ranges such as {@code 20-25} (ids with or
     * without leading zeros), or null / "all" for every one; in study order.
     */
    public List<StudyExperiment> select(String spec) {
        if (spec == null || spec.isBlank() || spec.equalsIgnoreCase("all")) {
            return experiments;
        }
        List<String> wanted = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            if (dash > 0 && p.substring(0, dash).trim().matches("\\d+") && p.substring(dash + 1).trim().matches("\\d+")) {
                int from = Integer.parseInt(p.substring(0, dash).trim());
                int to = Integer.parseInt(p.substring(dash + 1).trim());
                for (StudyExperiment e : experiments) {
                    if (e.id().matches("\\d+") && Integer.parseInt(e.id()) >= from && Integer.parseInt(e.id()) <= to
                            && !wanted.contains(e.id())) {
                        wanted.add(e.id());
                    }
                }
                if (from > to || wanted.isEmpty()) {
                    throw new IllegalArgumentException("--only: range '" + p + "' names no experiment: expected ids among " + ids());
                }
            } else {
                String id = find(p);
                if (!wanted.contains(id)) {
                    wanted.add(id);
                }
            }
        }
        return experiments.stream().filter(e -> wanted.contains(e.id())).toList();
    }

    private String find(String p) {
        for (StudyExperiment e : experiments) {
            if (e.id().equals(p) || (p.matches("\\d+") && e.id().matches("\\d+") && Integer.parseInt(p) == Integer.parseInt(e.id()))) {
                return e.id();
            }
        }
        throw new IllegalArgumentException("no experiment '" + p + "' in " + name + ": expected ids among " + ids());
    }

    /** The settings {@code e} starts from: those of the experiment it builds on, or the defaults. */
    public Settings parentSettings(StudyExperiment e) {
        return e.buildsOn() == null ? defaults : get(e.buildsOn()).settings();
    }
}
