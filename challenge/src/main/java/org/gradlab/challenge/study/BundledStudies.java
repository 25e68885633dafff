package org.gradlab.challenge.study;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The studies shipped inside GradLab (resources {@code org/gradlab/challenge/studies/<name>.yaml}). */
public final class BundledStudies {
    /** Every bundled study's name. */
    public static final List<String> NAMES = List.of("dermamnist-25", "breastmnist-ablation", "dermamnist-clinical");

    private BundledStudies() {}

    /** The bundled study {@code name}. */
    public static Study get(String name) {
        String res = "/org/gradlab/challenge/studies/" + name + ".yaml";
        try (InputStream in = BundledStudies.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled study '" + name + "': expected one of " + NAMES
                        + " or a study file path");
            }
            return StudyParser.read(in, name + ".yaml (bundled)", Path.of("").toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A study file path, or the name of a bundled study. */
    public static Study load(String fileOrName) throws IOException {
        Path p = Path.of(fileOrName);
        if (Files.isRegularFile(p)) {
            return StudyParser.read(p);
        }
        if (NAMES.contains(fileOrName)) {
            return get(fileOrName);
        }
        throw new IllegalArgumentException("'" + fileOrName + "' is neither a study file nor a bundled study: expected a path or one of " + NAMES);
    }
}
