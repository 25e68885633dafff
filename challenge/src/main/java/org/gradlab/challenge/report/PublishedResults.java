package org.gradlab.challenge.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The published figures of the 25 experiments, read from {@code published-results.csv}
 * (header {@code id,name,chapter,auc,melanoma_recall,cancer_sensitivity,accuracy,params,train_seconds};
 * empty cells were not published and become null).
 */
public final class PublishedResults {

    /** System property naming the shared data folder that holds {@code challenge/published-results.csv}. */
    public static final String SHARED_PROPERTY = "gradlab.shared";
    private static final List<String> HEADER = List.of("id", "name", "chapter", "auc", "melanoma_recall",
            "cancer_sensitivity", "accuracy", "params", "train_seconds");

    private final Path source;
    private final Map<String, PublishedRun> byId;

    private PublishedResults(Path source, Map<String, PublishedRun> byId) {
        this.source = source;
        this.byId = Collections.unmodifiableMap(byId);
    }

    /** An empty table, for runs without a published reference. */
    public static PublishedResults none() {
        return new PublishedResults(null, new LinkedHashMap<>());
    }

    /**
     * The default location: {@code ${gradlab.shared}/challenge/published-results.csv} when the system property
     * is set, else {@code ../shared/challenge/published-results.csv} relative to the working directory.
     */
    public static Path defaultPath() {
        String shared = System.getProperty(SHARED_PROPERTY);
        Path base = shared != null && !shared.isBlank() ? Path.of(shared) : Path.of("..", "shared");
        return base.resolve("challenge").resolve("published-results.csv").toAbsolutePath().normalize();
    }

    /** The published table bundled with GradLab (a copy of shared/challenge/published-results.csv). */
    public static PublishedResults bundled() {
        try (java.io.InputStream in = PublishedResults.class.getResourceAsStream("/org/gradlab/challenge/published-results.csv")) {
            if (in == null) {
                throw new IllegalStateException("published-results.csv is missing from the class path");
            }
            Path tmp = java.nio.file.Files.createTempFile("published-results", ".csv");
            try {
                java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return load(tmp);
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The table at {@link #defaultPath()} when that file exists, else the {@link #bundled()} copy. */
    public static PublishedResults loadDefault() {
        return Files.isRegularFile(defaultPath()) ? load(defaultPath()) : bundled();
    }

    /**
     * Loads the table from {@code csv}.
     *
     * @throws IllegalStateException when the file is missing, unreadable or malformed; the message names the file
     */
    public static PublishedResults load(Path csv) {
        String text;
        try {
            text = Files.readString(csv, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("published results not found: " + csv.toAbsolutePath()
                    + " (pass the path explicitly; PublishedResults.bundled() is the copy inside GradLab)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read published results " + csv.toAbsolutePath(), e);
        }
        Map<String, PublishedRun> rows = new LinkedHashMap<>();
        boolean headerSeen = false;
        List<Csv.Row> records;
        try {
            records = Csv.read(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(csv + ": " + e.getMessage(), e);
        }
        for (Csv.Row record : records) {
            List<String> cells = record.cells();
            if (!headerSeen) {
                if (!cells.equals(HEADER)) {
                    throw new IllegalStateException(csv + ": unexpected header " + cells + ", expected " + HEADER);
                }
                headerSeen = true;
                continue;
            }
            try {
                PublishedRun row = parseRow(cells);
                if (rows.put(row.id(), row) != null) {
                    throw new IllegalArgumentException("duplicate id " + row.id());
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException(csv + " line " + record.line() + ": " + e.getMessage(), e);
            }
        }
        if (!headerSeen) {
            throw new IllegalStateException(csv + ": empty file, no header");
        }
        return new PublishedResults(csv, rows);
    }

    private static PublishedRun parseRow(List<String> c) {
        if (c.size() != HEADER.size()) {
            throw new IllegalArgumentException("expected " + HEADER.size() + " cells, got " + c.size());
        }
        String id = c.get(0);
        if (id.isEmpty()) {
            throw new IllegalArgumentException("empty id");
        }
        return new PublishedRun(id, c.get(1), Integer.parseInt(c.get(2)), dbl(c.get(3)), dbl(c.get(4)),
                dbl(c.get(5)), dbl(c.get(6)), c.get(7).isEmpty() ? null : Long.valueOf(c.get(7)), dbl(c.get(8)));
    }

    private static Double dbl(String cell) {
        return cell.isEmpty() ? null : Double.valueOf(cell);
    }

    /** The published row of experiment {@code id}. */
    public Optional<PublishedRun> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** All rows in file order. */
    public List<PublishedRun> all() {
        return new ArrayList<>(byId.values());
    }

    /** Number of rows. */
    public int size() {
        return byId.size();
    }

    /** The file the table came from, or null for {@link #none()}. */
    public Path source() {
        return source;
    }
}
