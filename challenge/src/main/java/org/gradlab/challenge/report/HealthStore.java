package org.gradlab.challenge.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The training health of finished experiments on disk, so that a later run in the same folder (an interrupted study
 * continued with {@code --resume}, say) can put their sections back into {@code report.html}.
 *
 * <p>Per experiment, in {@code DIR/health/}: {@code <id>.csv}, the per-tensor, per-epoch figures for people and
 * spreadsheets (see {@link ExperimentHealth#toCsv()}), and {@code <id>.json}, everything the report section shows,
 * at full precision: the rows, the input statistics and the saved-for-backward ledger (snake_case keys, epochs
 * 1-based as in the CSV, a figure that does not apply left out). Both are replaced atomically (see
 * {@link AtomicFiles}), the JSON last.
 */
public final class HealthStore {
    /** Folder of the health files inside the run folder. */
    public static final String FOLDER = "health";

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /** Objects indented, arrays of numbers on one line. */
    private static final ObjectWriter WRITER = MAPPER.writer(new DefaultPrettyPrinter()
            .withArrayIndenter(DefaultPrettyPrinter.FixedSpaceIndenter.instance));

    private HealthStore() {
    }

    /** {@code DIR/health/<id>.csv}. */
    public static Path csvPath(Path dir, String id) {
        return dir.resolve(FOLDER).resolve(id + ".csv");
    }

    /** {@code DIR/health/<id>.json}. */
    public static Path jsonPath(Path dir, String id) {
        return dir.resolve(FOLDER).resolve(id + ".json");
    }

    /** Atomically writes {@code health/<id>.csv}, then {@code health/<id>.json}. */
    public static void save(Path dir, ExperimentHealth h) throws IOException {
        AtomicFiles.writeString(csvPath(dir, h.id()), h.toCsv());
        AtomicFiles.writeString(jsonPath(dir, h.id()), toJson(h));
    }

    /**
     * The stored health of experiment {@code id}: from its JSON; from its CSV alone (rows only: no input statistics,
     * no ledger) when an older run wrote no JSON; empty when neither file exists.
     *
     * @param name the experiment's name, used when only the CSV is there
     * @throws IllegalStateException when a file is corrupt; the message names it
     * @throws UncheckedIOException  when a file cannot be read
     */
    public static Optional<ExperimentHealth> load(Path dir, String id, String name) {
        Path json = jsonPath(dir, id);
        Path csv = csvPath(dir, id);
        try {
            if (Files.exists(json)) {
                ExperimentHealth h = fromJson(Files.readString(json));
                if (!h.id().equals(id)) {
                    throw new IllegalStateException("health file " + json.toAbsolutePath() + " is for exp " + h.id());
                }
                return Optional.of(h);
            }
            if (Files.exists(csv)) {
                return Optional.of(new ExperimentHealth(id, name, fromCsv(Files.readString(csv)), null, null, null));
            }
            return Optional.empty();
        } catch (JacksonException e) {
            throw new IllegalStateException("corrupt health file " + json.toAbsolutePath() + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("invalid health file " + (Files.exists(json) ? json : csv).toAbsolutePath()
                    + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the health files of exp " + id + " in " + dir.toAbsolutePath(), e);
        }
    }

    /** Serialises {@code h} to the JSON of {@code health/<id>.json}. */
    public static String toJson(ExperimentHealth h) {
        List<Row> rows = new ArrayList<>(h.rows().size());
        for (HealthRow r : h.rows()) {
            rows.add(new Row(r.epoch() + 1, r.name(), box(r.gradNorm()), box(r.updateRatio()), box(r.bnDrift()),
                    box(r.deadRelu()), box(r.reluRms())));
        }
        Stored s = new Stored(h.id(), h.name(), Stats.of(h.trainInputs()), Stats.of(h.valInputs()), h.saved(), rows);
        try {
            return WRITER.writeValueAsString(s) + System.lineSeparator();
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise the health of exp " + h.id(), e);
        }
    }

    /**
     * Parses the JSON of {@link #toJson}.
     *
     * @throws JacksonException         when it is not that JSON
     * @throws IllegalArgumentException when a required part is missing
     */
    static ExperimentHealth fromJson(String json) throws JacksonException {
        Stored s = MAPPER.readValue(json, Stored.class);
        if (s == null || s.id() == null || s.name() == null || s.rows() == null) {
            throw new IllegalArgumentException("id, name or rows missing");
        }
        List<HealthRow> rows = new ArrayList<>(s.rows().size());
        for (Row r : s.rows()) {
            if (r.epoch() < 1 || r.tensor() == null) {
                throw new IllegalArgumentException("a row without epoch or tensor");
            }
            rows.add(new HealthRow(r.epoch() - 1, r.tensor(), unbox(r.gradNorm()), unbox(r.updateRatio()),
                    unbox(r.bnDrift()), unbox(r.deadRelu()), unbox(r.reluRms())));
        }
        return new ExperimentHealth(s.id(), s.name(), rows, Stats.to(s.trainInputs()), Stats.to(s.valInputs()),
                s.saved());
    }

    /** Parses the text of {@link ExperimentHealth#toCsv()} (layer names may hold commas, quotes, line breaks). */
    static List<HealthRow> fromCsv(String text) {
        List<Csv.Row> records = Csv.read(text);
        if (records.isEmpty() || !String.join(",", records.get(0).cells()).equals(ExperimentHealth.CSV_HEADER)) {
            throw new IllegalArgumentException("the header is not " + ExperimentHealth.CSV_HEADER);
        }
        List<HealthRow> rows = new ArrayList<>(records.size() - 1);
        for (Csv.Row record : records.subList(1, records.size())) {
            List<String> c = record.cells();
            if (c.size() != 7) {
                throw new IllegalArgumentException("line " + record.line() + ": expected 7 cells, got " + c.size() + ": " + c);
            }
            rows.add(new HealthRow(Integer.parseInt(c.get(0)) - 1, c.get(1), cell(c.get(2)), cell(c.get(3)),
                    cell(c.get(4)), cell(c.get(5)), cell(c.get(6))));
        }
        return rows;
    }

    private static double cell(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }

    private static Double box(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double unbox(Double v) {
        return v == null ? Double.NaN : v;
    }

    /** The file's top level. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record Stored(@JsonProperty("id") String id,
                          @JsonProperty("name") String name,
                          @JsonProperty("train_inputs") Stats trainInputs,
                          @JsonProperty("val_inputs") Stats valInputs,
                          @JsonProperty("saved_for_backward") SavedForBackward saved,
                          @JsonProperty("rows") List<Row> rows) {
    }

    /** One {@link HealthRow}, epoch 1-based; a figure that does not apply is null (left out). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record Row(@JsonProperty("epoch") int epoch,
                       @JsonProperty("tensor") String tensor,
                       @JsonProperty("grad_norm") Double gradNorm,
                       @JsonProperty("update_ratio") Double updateRatio,
                       @JsonProperty("bn_drift") Double bnDrift,
                       @JsonProperty("dead_relu") Double deadRelu,
                       @JsonProperty("relu_rms") Double reluRms) {
    }

    /** One {@link ChannelStats}. */
    private record Stats(@JsonProperty("mean") double[] mean, @JsonProperty("std") double[] std) {
        static Stats of(ChannelStats s) {
            return s == null ? null : new Stats(s.mean(), s.std());
        }

        static ChannelStats to(Stats s) {
            return s == null ? null : new ChannelStats(s.mean(), s.std());
        }
    }
}
