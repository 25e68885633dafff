package org.gradlab.engine.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates read-only fixtures under the shared folder: system property {@code gradlab.shared}
 * (set by surefire), else {@code ../shared} next to the repository root.
 * NOTE: a missing fixture fails the test; it never skips.
 */
public final class SharedFiles {
    private SharedFiles() {
    }

    public static Path root() {
        String prop = System.getProperty("gradlab.shared");
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath().normalize();
        Path dir = Path.of("").toAbsolutePath();
        // walk up to the repository root (the folder holding the parent pom and engine/)
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("engine")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d.resolve("../shared").normalize();
            }
        }
        return dir.resolve("../../shared").normalize();
    }

    /** {@code root()/relative}, asserting that it exists. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        assertTrue(Files.isRegularFile(p), "missing shared fixture " + p
                + " (set -Dgradlab.shared=<folder> or place it at ../shared next to the repository)");
        return p;
    }
}
