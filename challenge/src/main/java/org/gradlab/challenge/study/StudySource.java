package org.gradlab.challenge.study;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A study as text, so that another machine (a Spark executor) parses exactly the study this one parsed: the YAML, the
 * name it goes by in errors, the folder its relative paths start from, and the {@code --size} it was asked at.
 *
 * @param size the MedMNIST image side asked for instead of the study's ({@code --size}), or null
 */
public record StudySource(String text, String name, String baseDir, Integer size) implements Serializable {

    /** A study file path, or the name of a bundled study (as {@link BundledStudies#load}). */
    public static StudySource of(String fileOrName, Integer size) throws IOException {
        Path p = Path.of(fileOrName);
        if (Files.isRegularFile(p)) {
            return new StudySource(Files.readString(p, StandardCharsets.UTF_8), p.toString(),
                    p.toAbsolutePath().getParent().toString(), size);
        }
        if (!BundledStudies.NAMES.contains(fileOrName)) {
            BundledStudies.load(fileOrName); // throws the one-line message naming what was expected
        }
        try (InputStream in = BundledStudies.class.getResourceAsStream("/org/gradlab/challenge/studies/" + fileOrName + ".yaml")) {
            return new StudySource(new String(in.readAllBytes(), StandardCharsets.UTF_8), fileOrName + ".yaml (bundled)",
                    Path.of("").toAbsolutePath().toString(), size);
        }
    }

    /** The study this text describes, at {@link #size} when one was asked for. */
    public Study parse() {
        try {
            Study s = StudyParser.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), name, Path.of(baseDir));
            return size == null ? s : s.atSize(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
