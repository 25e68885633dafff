package org.gradlab.challenge.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsStoreTest {
    private static final PublishedResults PUBLISHED = PublishedResults.loadDefault();

    private static RunResult run(String id, long seed) {
        return SyntheticResults.run(PUBLISHED.get(id).orElseThrow(), new Random(seed));
    }

    @Test
    void roundTripWithUpsertKeepsRunsOrderedAndReplacesSameId(@TempDir Path dir) {
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        assertTrue(store.load().runs().isEmpty());
        store.upsert(run("08", 1));
        store.upsert(run("01", 2));
        store.upsert(run("23", 3));
        RunResult replacement = run("08", 99);
        ResultsFile after = store.upsert(replacement);

        ResultsFile loaded = new ResultsStore(dir, PUBLISHED).load();
        assertEquals(List.of("01", "08", "23"), loaded.runs().stream().map(RunResult::id).toList());
        assertEquals(after, loaded);
        assertEquals(replacement, loaded.find("08").orElseThrow());
        assertNotEquals(run("08", 1), loaded.find("08").orElseThrow());
        RunResult r23 = loaded.find("23").orElseThrow();
        assertEquals(Boolean.FALSE, r23.pretrained());
        assertArrayEquals(run("23", 3).test().aucCi95(), r23.test().aucCi95());
    }

    @Test
    void jsonUsesContractFieldNames(@TempDir Path dir) throws Exception {
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        store.upsert(run("08", 1));
        store.upsert(run("01", 1));
        JsonNode root = new ObjectMapper().readTree(store.jsonPath().toFile());
        JsonNode r = root.get("runs").get(1);
        for (String key : List.of("id", "name", "device", "seed", "epochs", "params", "train_seconds",
                "epoch_seconds", "pretrained", "val", "test", "chapter")) {
            assertTrue(r.has(key), key);
        }
        assertEquals("08", r.get("id").asText());
        assertTrue(r.get("pretrained").isNull(), "pretrained is written as null when not applicable");
        for (String key : List.of("auc", "accuracy", "melanoma_recall", "cancer_sensitivity", "per_class_recall",
                "per_class_auc", "confusion", "balanced_accuracy", "cancer_as_any_cancer")) {
            assertTrue(r.get("val").has(key), key);
            assertTrue(r.get("test").has(key), key);
        }
        assertEquals(7, r.get("val").get("per_class_recall").size());
        assertEquals(7, r.get("val").get("confusion").size());
        assertTrue(r.get("test").has("auc_ci95"));
        assertFalse(r.get("val").has("auc_ci95"), "absent intervals are omitted");
    }

    @Test
    void nanMetricsSurviveTheRoundTrip(@TempDir Path dir) {
        RunResult base = run("03", 5);
        double[] perAuc = base.val().perClassAuc().clone();
        perAuc[3] = Double.NaN;
        SplitMetrics v = base.val();
        SplitMetrics withNan = new SplitMetrics(Double.NaN, v.accuracy(), v.balancedAccuracy(), v.melanomaRecall(),
                v.cancerSensitivity(), v.cancerAsAnyCancer(), v.perClassRecall(), perAuc, v.confusion());
        RunResult r = new RunResult("03", base.name(), 2, "cpu", 1, 5, 10, 1.5, new double[]{1.5}, null, null,
                withNan, null);
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        store.upsert(r);
        RunResult back = store.load().runs().get(0);
        assertEquals(r, back);
        assertTrue(Double.isNaN(back.val().auc()));
    }

    @Test
    void csvHasTheContractColumnsAndOneRowPerRun(@TempDir Path dir) throws Exception {
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        store.save(SyntheticResults.all(PUBLISHED, 7));
        List<String> lines = Files.readAllLines(store.csvPath());
        assertEquals("id,name,chapter,device,epochs,params,train_seconds,val_auc,val_melanoma_recall,"
                + "val_cancer_sensitivity,val_accuracy,test_auc,test_melanoma_recall,published_auc,"
                + "published_melanoma_recall,delta_auc,pretrained,failure", lines.get(0));
        assertEquals(26, lines.size());
        List<String> row1 = Csv.parseLine(lines.get(1));
        assertEquals(18, row1.size());
        assertEquals("01", row1.get(0));
        assertEquals("0.822", row1.get(13));
        double delta = Double.parseDouble(row1.get(15));
        assertEquals(Double.parseDouble(row1.get(7)) - 0.822, delta, 1e-6);
        assertEquals("", row1.get(16), "pretrained empty when not applicable");
        List<String> row24 = Csv.parseLine(lines.get(24));
        assertEquals("24", row24.get(0));
        assertEquals("false", row24.get(16));
        for (String line : lines.subList(1, lines.size())) {
            assertEquals(18, Csv.parseLine(line).size(), line);
        }
    }

    @Test
    void aFailedExperimentReplacesItsRunRoundTripsAndIsACsvRowWithItsReason(@TempDir Path dir) {
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        store.upsert(run("02", 1));
        store.upsert(run("03", 2));
        FailedRun f = new FailedRun("03", "Batch size", 2, "cpu", 0,
                "diverged at epoch 1, batch 3: the loss became NaN; first non-finite value in the forward output of Conv2d "
                        + "in layer features.3", 1, 3, "Conv2d", "features.3");
        ResultsFile after = store.upsert(f);
        assertEquals(List.of("02"), after.runs().stream().map(RunResult::id).toList(), "the failure replaces run 03");
        assertEquals(List.of(f), store.load().failed(), "round trip through results.json");
        List<String> lines = store.toCsv(store.load()).lines().toList();
        assertEquals(3, lines.size());
        List<String> row = Csv.parseLine(lines.get(2));
        assertEquals("03", row.get(0));
        assertEquals("", row.get(7), "no scores");
        assertEquals(f.reason(), row.get(17));
        ResultsFile back = store.upsert(run("03", 3));
        assertEquals(List.of(), back.failed(), "a finished run replaces the failure");
        assertThrows(IllegalArgumentException.class, () -> new ResultsFile(List.of(run("04", 1)),
                List.of(new FailedRun("04", "x", 1, "cpu", 0, "r", 1, 1, null, null))), "an id is finished or failed, not both");
    }

    @Test
    void saveIsAtomicAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        for (int i = 0; i < 5; i++) {
            store.upsert(run(String.format("%02d", i + 1), i));
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("results.csv", "results.json"), names);
        }
    }

    @Test
    void interruptedWriteLeavesThePreviousFileIntact(@TempDir Path dir) throws Exception {
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        store.upsert(run("01", 1));
        String before = Files.readString(store.jsonPath());
        // a crash mid-write leaves at most a temp file beside an untouched results.json
        Files.writeString(dir.resolve(".results.json.123" + AtomicFiles.TEMP_SUFFIX), "{\"runs\":[{\"id\":");
        assertEquals(before, Files.readString(store.jsonPath()));
        assertEquals(1, store.load().runs().size());
    }

    @Test
    void corruptJsonGivesAnErrorNamingTheFile(@TempDir Path dir) throws Exception {
        ResultsStore store = new ResultsStore(dir, PUBLISHED);
        Files.writeString(store.jsonPath(), "{\"runs\":[{\"id\":\"01\",");
        IllegalStateException e = assertThrows(IllegalStateException.class, store::load);
        assertTrue(e.getMessage().contains(store.jsonPath().toAbsolutePath().toString()), e.getMessage());

        Files.writeString(store.jsonPath(), "{\"runs\":[{\"id\":\"01\",\"name\":\"x\"}]}");
        IllegalStateException missing = assertThrows(IllegalStateException.class, store::load);
        assertTrue(missing.getMessage().contains("results.json"), missing.getMessage());
    }
}
