package org.gradlab.challenge.report;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes {@code DIR/results.json} and {@code DIR/results.csv}. Every save replaces the files
 * atomically (see {@link AtomicFiles}), so a run interrupted mid-write keeps the previous complete files.
 */
public final class ResultsStore {
    /** File name of the JSON results. */
    public static final String JSON = "results.json";
    /** File name of the CSV results. */
    public static final String CSV = "results.csv";
    /** Columns of {@code results.csv}. */
    public static final List<String> CSV_COLUMNS = List.of("id", "name", "chapter", "device", "epochs", "params",
            "train_seconds", "val_auc", "val_melanoma_recall", "val_cancer_sensitivity", "val_accuracy", "test_auc",
            "test_melanoma_recall", "published_auc", "published_melanoma_recall", "delta_auc", "pretrained", "failure");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /** Objects indented, arrays of numbers on one line (a confusion matrix row stays readable). */
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter()
            .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance));

    private final Path dir;
    private final PublishedResults published;

    /**
     * @param dir       output folder, created on the first save
     * @param published published figures for the CSV comparison columns; {@link PublishedResults#none()} if unknown
     */
    public ResultsStore(Path dir, PublishedResults published) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.published = Objects.requireNonNull(published, "published");
    }

    /** The output folder. */
    public Path dir() {
        return dir;
    }

    /** Path of {@code results.json}. */
    public Path jsonPath() {
        return dir.resolve(JSON);
    }

    /** Path of {@code results.csv}. */
    public Path csvPath() {
        return dir.resolve(CSV);
    }

    /** Loads {@code results.json}, or an empty file when it does not exist yet. */
    public ResultsFile load() {
        return Files.exists(jsonPath()) ? read(jsonPath()) : ResultsFile.empty();
    }

    /**
     * Reads a {@code results.json}.
     *
     * @throws IllegalStateException when the file is corrupt; the message names the file
     * @throws UncheckedIOException  when it cannot be read
     */
    public static ResultsFile read(Path json) {
        try {
            ResultsFile f = MAPPER.readValue(json.toFile(), ResultsFile.class);
            if (f == null) {
                throw new IllegalStateException("corrupt results file " + json.toAbsolutePath() + ": empty");
            }
            return f;
        } catch (JacksonException e) {
            throw new IllegalStateException("corrupt results file " + json.toAbsolutePath() + ": "
                    + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("invalid results file " + json.toAbsolutePath() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read results file " + json.toAbsolutePath(), e);
        }
    }

    /** Serialises {@code results} to the JSON of {@code results.json}. */
    public static String toJson(ResultsFile results) {
        try {
            return WRITER.writeValueAsString(results) + System.lineSeparator();
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise results", e);
        }
    }

    /** Atomically writes {@code results.json} and then {@code results.csv}. */
    public void save(ResultsFile results) {
        try {
            AtomicFiles.writeString(jsonPath(), toJson(results));
            AtomicFiles.writeString(csvPath(), toCsv(results));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results to " + dir.toAbsolutePath(), e);
        }
    }

    /**
     * Adds {@code run} to the stored results, replacing a run with the same id, and saves both files.
     *
     * @return the results now on disk
     */
    public ResultsFile upsert(RunResult run) {
        ResultsFile next = load().upsert(run);
        save(next);
        return next;
    }

    /**
     * Adds the failed experiment {@code failure} to the stored results, replacing a run or failure with the same id,
     * and saves both files.
     *
     * @return the results now on disk
     */
    public ResultsFile upsert(FailedRun failure) {
        ResultsFile next = load().upsert(failure);
        save(next);
        return next;
    }

    /**
     * Renders {@code results.csv}: a header and one row per run (see {@link #CSV_COLUMNS}); a failed experiment's row
     * has empty scores and its reason in {@code failure}.
     */
    public String toCsv(ResultsFile results) {
        List<List<String>> rows = new java.util.ArrayList<>();
        for (RunResult r : results.runs()) {
            PublishedRun p = published.get(r.id()).orElse(null);
            Double pubAuc = p == null ? null : p.auc();
            Double delta = pubAuc == null || Double.isNaN(r.val().auc()) ? null : r.val().auc() - pubAuc;
            SplitMetrics t = r.test();
            List<String> cells = List.of(
                    r.id(), r.name(), String.valueOf(r.chapter()), r.device() == null ? "" : r.device(),
                    String.valueOf(r.epochs()), String.valueOf(r.params()), Fmt.csv(r.trainSeconds()),
                    Fmt.csv(r.val().auc()), Fmt.csv(r.val().melanomaRecall()), Fmt.csv(r.val().cancerSensitivity()),
                    Fmt.csv(r.val().accuracy()), t == null ? "" : Fmt.csv(t.auc()),
                    t == null ? "" : Fmt.csv(t.melanomaRecall()), Fmt.csv(pubAuc),
                    p == null ? "" : Fmt.csv(p.melanomaRecall()), Fmt.csv(delta),
                    r.pretrained() == null ? "" : r.pretrained().toString(), "");
            rows.add(cells);
        }
        for (FailedRun f : results.failed()) {
            List<String> cells = new java.util.ArrayList<>(java.util.Collections.nCopies(CSV_COLUMNS.size(), ""));
            cells.set(0, f.id());
            cells.set(1, f.name());
            cells.set(2, String.valueOf(f.chapter()));
            cells.set(3, f.device() == null ? "" : f.device());
            cells.set(CSV_COLUMNS.size() - 1, f.reason());
            rows.add(cells);
        }
        rows.sort(java.util.Comparator.comparing(row -> row.get(0)));
        return Csv.write(CSV_COLUMNS, rows);
    }
}
