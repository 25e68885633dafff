package org.gradlab.engine.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test access to the reference fixtures through {@link Fixtures} (the one lookup): the repository's
 * own fixtures ({@value Fixtures#BUNDLED}), or the root named by {@code -Dgradlab.fixtures}.
 * NOTE: a missing fixture fails the test; it never skips.
 */
public final class SharedFiles {
    private SharedFiles() {
    }

    public static Path root() {
        return Fixtures.root();
    }

    /** {@code root()/relative}, asserting that it exists. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        assertTrue(Files.isRegularFile(p), "missing fixture " + p + " (the repository's own are in " + Fixtures.BUNDLED
                + "; -D" + Fixtures.ROOT_PROPERTY + "=<folder> names another root)");
        return p;
    }
}
