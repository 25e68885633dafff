package org.gradlab.spark;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.gradlab.challenge.run.StudyOptions;
import org.gradlab.challenge.run.StudyResult;
import org.gradlab.challenge.run.StudyRunner;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudySource;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Studies as Spark tasks under {@code local[2]} on the repository's BreastMNIST (200 training images, baseline_cnn):
 * the same numbers as the run in one process, a task killed mid-training retried to the same numbers, and
 * {@code --resume} training only what had not finished.
 */
class SparkStudyTest {
    private static final long SEED = 3;
    private static final int LIMIT = 200;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private static StudySource study(int epochs) {
        return new StudySource("name: spark-small\ndataset: {name: breastmnist, size: 28}\ndefaults:\n"
                + "  model: {name: baseline_cnn}\n  input: {channels: 1}\n  optimizer: {name: adam, lr: 3.0e-3}\n"
                + "  epochs: " + epochs + "\n  batch: 32\n"
                + "experiments:\n  - {id: plain}\n  - {id: cv3, builds_on: plain, set: {cv: {folds: 3}, optimizer.lr: 1.0e-3}}\n",
                "spark-small.yaml", Path.of("").toAbsolutePath().toString(), null);
    }

    private static StudyOptions options(Study s, String only, Path out, boolean resume) {
        return new StudyOptions(s, s.select(only), SharedFiles.file("data/breastmnist.npz"), null, "cpu", SEED, null, LIMIT, out,
                resume, null, 1);
    }

    /** Runs the study in this process (fault == null and master == null) or on Spark; returns the console output. */
    private static String run(StudySource src, String only, Path out, boolean resume, String master, TaskFault fault)
            throws Exception {
        return run(src, only, out, resume, master, fault, 0);
    }

    private static String run(StudySource src, String only, Path out, boolean resume, String master, TaskFault fault,
                              int status) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        StudyOptions o = options(src.parse(), only, out, resume);
        StudyRunner r = master == null ? new StudyRunner(o, ps)
                : new StudyRunner(o, ps, (data, flag, opts) -> new SparkUnits(master, src, data, flag, opts, ps, fault));
        assertEquals(status, r.run(), log.toString());
        return log.toString();
    }

    private static List<StudyResult> results(Path out) throws Exception {
        return JSON.readValue(out.resolve("study-results.json").toFile(), new TypeReference<List<StudyResult>>() {});
    }

    /** Every number of the two runs' rows, the timings aside. */
    private static void assertSameNumbers(List<StudyResult> expected, List<StudyResult> actual) {
        assertEquals(expected.stream().map(StudyResult::id).toList(), actual.stream().map(StudyResult::id).toList());
        for (int i = 0; i < expected.size(); i++) {
            StudyResult a = expected.get(i);
            StudyResult b = actual.get(i);
            assertEquals(a.val().auc(), b.val().auc(), 0, a.id() + " val AUC");
            assertEquals(a.test().auc(), b.test().auc(), 0, a.id() + " test AUC");
            assertEquals(a.val().accuracy(), b.val().accuracy(), 0, a.id());
            assertEquals(a.test().loss(), b.test().loss(), 0, a.id() + " test loss");
            assertEquals(a.selectedEpoch(), b.selectedEpoch(), a.id());
            assertEquals(a.history().size(), b.history().size(), a.id());
            for (int e = 0; e < a.history().size(); e++) {
                assertEquals(a.history().get(e).trainLoss(), b.history().get(e).trainLoss(), 0, a.id() + " epoch " + (e + 1));
                assertEquals(a.history().get(e).valLoss(), b.history().get(e).valLoss(), 0, a.id() + " epoch " + (e + 1));
            }
        }
    }

    @Test
    void twoExperimentsOneWithThreeFoldsGiveTheLocalRunsNumbers(@TempDir Path local, @TempDir Path spark) throws Exception {
        StudySource src = study(1);
        run(src, null, local, false, null, null);
        String log;
        System.setProperty("spark.gradlab.sharedData", "false");   // as on a cluster: the data goes out with addFile
        try {
            log = run(src, null, spark, false, "local[2]", null);
        } finally {
            System.clearProperty("spark.gradlab.sharedData");
        }
        assertTrue(log.contains("shipped to the executors (SparkContext.addFile)"), log);
        assertTrue(log.contains("spark: 4 units submitted (plain, cv3-fold0, cv3-fold1, cv3-fold2)"), log);
        assertSameNumbers(results(local), results(spark));
        for (String model : List.of("plain", "cv3-fold0", "cv3-fold1", "cv3-fold2")) {
            Path m = Path.of("models", model + ".safetensors");
            assertArrayEquals(Files.readAllBytes(local.resolve(m)), Files.readAllBytes(spark.resolve(m)), model + ": the same weights");
        }
        assertTrue(Files.isRegularFile(spark.resolve("study.html")));
        assertTrue(Files.readString(spark.resolve("logs/cv3-fold1.log")).contains("fold 2/3"), "the executor's log came back");
    }

    @Test
    void aTaskKilledMidTrainingIsRetriedAndResumesFromItsEpochCheckpoint(@TempDir Path local, @TempDir Path spark)
            throws Exception {
        StudySource src = study(2);
        run(src, "plain", local, false, null, null);
        TaskFault killAfterEpochOne = (unit, attempt, line) -> {
            if (unit.equals("plain") && attempt == 0 && line.startsWith("  exp plain epoch 2/2:")) {
                throw new IllegalStateException("injected fault: attempt 0 of unit plain killed in its second epoch");
            }
        };
        String log = run(src, "plain", spark, false, "local[2]", killAfterEpochOne);
        assertTrue(log.contains("spark: unit plain finished on executor driver, attempt 2"), log);
        String unitLog = Files.readString(spark.resolve("logs/plain.log"));
        assertTrue(unitLog.contains("unit plain, attempt 1"), unitLog);
        assertTrue(unitLog.contains("resuming exp plain after epoch 1/2"), "the retry continued from the checkpoint:\n" + unitLog);
        assertSameNumbers(results(local), results(spark));
    }

    @Test
    void resumeTrainsOnlyTheUnitsThatHadNotFinished(@TempDir Path spark) throws Exception {
        StudySource src = study(1);
        run(src, null, spark, false, "local[2]", null);
        List<StudyResult> full = results(spark);
        // as if the driver had died before the last fold came back: no cv3 row, no fold 2
        List<StudyResult> cut = full.stream().filter(r -> !r.id().equals("cv3")).toList();
        JSON.writeValue(spark.resolve("study-results.json").toFile(), cut);
        Files.delete(spark.resolve("folds/cv3-fold2.json"));
        Path plain = spark.resolve("models/plain.safetensors");
        FileTime before = Files.getLastModifiedTime(plain);
        String log = run(src, null, spark, true, "local[2]", null);
        assertTrue(log.contains("exp plain plain: already in"), log);
        assertTrue(log.contains("exp cv3 fold 1/3: already in") && log.contains("exp cv3 fold 2/3: already in"), log);
        assertTrue(log.contains("spark: 1 units submitted (cv3-fold2)"), log);
        assertEquals(before, Files.getLastModifiedTime(plain), "plain was not trained again");
        assertSameNumbers(full, results(spark));
    }

    @Test
    void theCommandLineFindsSparkThroughTheServiceLoader(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spark-small.yaml");
        Files.writeString(file, study(1).text());
        Path out = dir.resolve("out");
        int rc = org.gradlab.challenge.cli.GradLab.commandLine().execute("study", "run", file.toString(), "--spark", "local[2]",
                "--only", "plain", "--data", SharedFiles.file("data/breastmnist.npz").toString(), "--limit-train", "100",
                "--device", "cpu", "--out", out.toString());
        assertEquals(0, rc);
        assertEquals(List.of("plain"), results(out).stream().map(StudyResult::id).toList());
        assertTrue(Files.isRegularFile(out.resolve("models/plain.safetensors")));
    }

    @Test
    void aDivergedExperimentIsAFailedRowNotAFailedJob(@TempDir Path spark) throws Exception {
        StudySource src = new StudySource("name: spark-diverge\ndataset: {name: breastmnist, size: 28}\n"
                + "defaults: {model: {name: baseline_cnn}, input: {channels: 1}, optimizer: {name: sgd, lr: 0.01}, epochs: 1, batch: 32}\n"
                + "experiments:\n  - {id: boom, set: {optimizer.lr: 1.0e38}}\n  - {id: calm}\n",
                "spark-diverge.yaml", Path.of("").toAbsolutePath().toString(), null);
        String log = run(src, null, spark, false, "local[2]", null, StudyRunner.EXPERIMENTS_FAILED);
        assertTrue(log.contains("spark: unit boom finished on executor driver (log:"), "trained once, no retry:\n" + log);
        assertFalse(log.contains("FAILED on every attempt"), log);
        List<StudyResult> rows = results(spark);
        StudyResult boom = rows.stream().filter(r -> r.id().equals("boom")).findFirst().orElseThrow();
        StudyResult calm = rows.stream().filter(r -> r.id().equals("calm")).findFirst().orElseThrow();
        assertTrue(boom.isFailed() && boom.failure().epoch() == 1, "lr 1e38 diverges in epoch 1: " + boom.failure());
        assertFalse(Files.exists(spark.resolve("models/boom.safetensors")), "a failed experiment leaves no model");
        assertFalse(calm.isFailed());
        assertTrue(Files.isRegularFile(spark.resolve("models/calm.safetensors")));
    }
}
