package org.gradlab.engine.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the reference fixtures live: the ONE lookup that tests, {@code verify} and the
 * benchmarks go through.
 *
 * <p>A fixture root holds {@code golden/} (PyTorch fixtures, {@code scripts/golden/README.md}),
 * {@code data/} (MedMNIST npz files) and {@code challenge/} (the published results table).
 * Two roots exist:
 * <ul>
 *   <li>the repository's own ({@link #BUNDLED}, under the repository root): the trimmed fixtures
 *       the test suite runs on, so that a fresh clone is self-contained;</li>
 *   <li>the full fixtures, e.g. a {@code shared/} folder beside the clone (the generator's output,
 *       58 MB), used only when named or, for {@code verify}, when present.</li>
 * </ul>
 * {@link #root()} is the system property {@value #ROOT_PROPERTY} when set (tests can then run on the
 * full fixtures: {@code ./mvnw test -Dgradlab.fixtures=../shared}), else the bundled root.
 * NOTE: a missing fixture is an error naming the path and the property; tests never skip on it.
 */
public final class Fixtures {
    /** System property: a fixture root to use instead of the repository's own. */
    public static final String ROOT_PROPERTY = "gradlab.fixtures";
    /** The repository's own fixture root, relative to the repository root. */
    public static final String BUNDLED = "engine/src/test/resources/fixtures";

    private Fixtures() {
    }

    /** The fixture root: {@value #ROOT_PROPERTY} if set, else {@link #bundled()}. */
    public static Path root() {
        String prop = System.getProperty(ROOT_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        return bundled();
    }

    /** The repository's own fixtures ({@link #BUNDLED} under {@link #repositoryRoot()}). */
    public static Path bundled() {
        return repositoryRoot().resolve(BUNDLED);
    }

    /** {@code root()/relative}; a missing file is an {@link IllegalStateException} naming the path. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing fixture " + p + " (the repository's own are in " + BUNDLED
                    + "; -D" + ROOT_PROPERTY + "=<folder with golden/ and data/> names another root)");
        }
        return p;
    }

    /** {@code root()/golden/name}, which must exist. */
    public static Path golden(String name) {
        return file("golden/" + name);
    }

    /** {@code root()/data/name}, which must exist. */
    public static Path data(String name) {
        return file("data/" + name);
    }

    /**
     * {@code root()/relative} if that file exists, else the same file in the full fixtures beside the
     * repository ({@link #fullRoot()}) if it exists there: for checks that only the full fixtures allow
     * (DermaMNIST, CC BY-NC, is not in the repository). They run where the full fixtures are and are
     * skipped, saying so, where they are not.
     */
    public static Optional<Path> optional(String relative) {
        for (Path root : new Path[] {root(), fullRoot()}) {
            Path p = root.resolve(relative);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The full fixtures: system property {@code gradlab.shared} when set, else {@code ../shared} beside the repository. */
    public static Path fullRoot() {
        String shared = System.getProperty("gradlab.shared");
        return shared != null && !shared.isBlank() ? Path.of(shared).toAbsolutePath().normalize()
                : repositoryRoot().resolve("../shared").normalize();
    }

    /**
     * The golden directory {@code verify} uses without {@code --golden}: {@value #ROOT_PROPERTY}/golden
     * when that property is set, else the full fixtures of a {@code shared/} folder beside the
     * repository when present (system property {@code gradlab.shared} names another), else the
     * repository's own.
     */
    public static Path verifyGoldenDir() {
        if (System.getProperty(ROOT_PROPERTY) != null && !System.getProperty(ROOT_PROPERTY).isBlank()) {
            return root().resolve("golden");
        }
        Path full = fullRoot().resolve("golden");
        return Files.isDirectory(full) ? full : bundled().resolve("golden");
    }

    /**
     * The repository root: system property {@code gradlab.root} (the launcher sets it), else the
     * nearest folder at or above the working directory holding {@code pom.xml} and {@code engine/}.
     */
    public static Path repositoryRoot() {
        String root = System.getProperty("gradlab.root");
        if (root != null && !root.isBlank()) {
            return Path.of(root).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("engine")) && Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        return dir;
    }
}
