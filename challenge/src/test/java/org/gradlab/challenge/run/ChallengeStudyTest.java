package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.gradlab.challenge.data.SyntheticMedMnist;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.report.HealthStore;
import org.gradlab.challenge.report.ResultsFile;
import org.gradlab.challenge.report.ResultsStore;
import org.gradlab.challenge.report.RunResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The challenge (the bundled dermamnist-25 study) end to end on generated data in the DermaMNIST
 * layout ({@link SyntheticMedMnist}, so a fresh clone needs no download): learning, outputs written,
 * resume after a kill.
 */
class ChallengeStudyTest {
    @TempDir
    static Path dataDir;
    private static Path data;

    @BeforeAll
    static void generateData() throws Exception {
        data = SyntheticMedMnist.write(dataDir, 2400, 400, 400, 7);
    }

    private static Path data() {
        return data;
    }

    private static StudyOptions opts(String exp, int epochs, int limit, Path out, boolean resume) {
        Study s = BundledStudies.get("dermamnist-25");
        return new StudyOptions(s, s.select(exp), data(), null, "cpu", 0, epochs, limit, out, resume, null, 1);
    }

    @Test
    void shortRunLearnsAndWritesEveryOutput(@TempDir Path out) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc = new StudyRunner(opts("08", 1, 2000, out, false), new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        assertEquals(0, rc);
        ResultsFile results = ResultsStore.read(out.resolve("results.json"));
        RunResult r = results.runs().get(0);
        assertEquals("08", r.id());
        assertEquals(94_599, r.params());
        assertTrue(r.val().auc() > 0.75, "validation macro AUC " + r.val().auc() + " shows no real learning");
        assertNotNull(r.test().aucCi95(), "test AUC has a bootstrap interval");
        assertTrue(r.notes().contains("2000"), "a limited run says so: " + r.notes());
        assertTrue(Files.size(out.resolve("report.html")) > 10_000);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Training health: exp 08") && html.contains("features.9.running_mean")
                && html.contains("features.1 (ReLU)"), "the report has the training-health section");
        assertTrue(html.contains("Saved for backward in one training step (batch 32): peak <b>")
                && html.contains("<td>features.0</td>"), "the report has the step's saved-tensor ledger");
        for (String kind : java.util.List.of("grad-norm", "update-ratio", "dead-relu", "relu-rms", "bn-drift")) {
            Path png = org.gradlab.challenge.report.HealthCharts.file(out, "08", kind);
            assertNotNull(javax.imageio.ImageIO.read(png.toFile()), png + " is a PNG");
        }
        String csv = Files.readString(HealthStore.csvPath(out, "08"));
        assertTrue(csv.startsWith(org.gradlab.challenge.report.ExperimentHealth.CSV_HEADER) && csv.contains("\n1,features.0.weight,"), csv);
        String console = log.toString(StandardCharsets.UTF_8);
        assertTrue(console.contains("  inputs: train mean [") && !console.contains("WARNING: training and validation"), console);
        assertTrue(Files.readString(out.resolve("results.csv")).startsWith("id,"));
        assertFalse(Files.exists(EpochCheckpoint.path(out, "08")), "the checkpoint of a finished experiment is removed");
    }

    @Test
    void resumeAfterAKillContinuesFromTheLastFinishedEpoch(@TempDir Path out) throws Exception {
        Path ckpt = EpochCheckpoint.path(out, "01");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "org.gradlab.challenge.cli.GradLab", "challenge", "--exp", "01", "--epochs", "40", "--limit-train", "600",
                "--device", "cpu", "--data", data().toString(), "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(out.resolve("first-run.log").toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(ckpt) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(ckpt), "no checkpoint appeared: " + Files.readString(out.resolve("first-run.log")));
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9 mid-run
        boolean finished = Files.exists(out.resolve("results.json"))
                && !ResultsStore.read(out.resolve("results.json")).runs().isEmpty();
        assertFalse(finished, "the killed run must not have finished");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc = new StudyRunner(opts("01", 40, 600, out, true), new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        String text = log.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc);
        assertTrue(text.contains("resuming exp 01 after epoch"), text);
        RunResult r = ResultsStore.read(out.resolve("results.json")).runs().get(0);
        assertEquals(40, r.epochSeconds().length);
        for (double s : r.epochSeconds()) {
            assertTrue(s > 0, "every epoch, before and after the kill, has its time");
        }

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        new StudyRunner(opts("01", 40, 600, out, true), new PrintStream(again, true, StandardCharsets.UTF_8)).run();
        String second = again.toString(StandardCharsets.UTF_8);
        assertTrue(second.contains("skipped (--resume)"));
        assertTrue(second.contains("of training resumed from earlier ones"),
                "a resumed study's wall time counts the finished runs' training: " + second);
    }

    @Test
    void resumeKeepsTheHealthSectionsOfTheExperimentsItSkips(@TempDir Path out) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(0, new StudyRunner(opts("01", 1, 300, out, false), quiet).run());
        String first = healthSection(Files.readString(out.resolve("report.html")), "01");
        assertTrue(Files.exists(org.gradlab.challenge.report.HealthStore.jsonPath(out, "01")));

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        assertEquals(0, new StudyRunner(opts("01,08", 1, 300, out, true), new PrintStream(log, true, StandardCharsets.UTF_8)).run());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("exp 01 Baseline: already in") && text.contains("skipped (--resume)"), text);
        String html = Files.readString(out.resolve("report.html"));
        String restored = healthSection(html, "01");
        assertEquals(first, restored, "the skipped experiment's section (charts, ledger, inputs) comes back as it was");
        assertTrue(restored.contains("Inputs as the model receives them") && restored.contains("<img alt=\"Gradient norm per layer\"")
                && restored.contains("Saved for backward in one training step (batch 32)"), restored);
        assertTrue(healthSection(html, "08").contains("features.9.running_mean"), "and the trained one has its own");
        assertTrue(html.indexOf("Training health: exp 01") < html.indexOf("Training health: exp 08"));
    }

    /** The body of experiment {@code id}'s health section in {@code report.html}. */
    private static String healthSection(String html, String id) {
        int start = html.indexOf("<h2>Training health: exp " + id + "</h2>");
        assertTrue(start >= 0, "report.html has no health section for exp " + id);
        return html.substring(start, html.indexOf("</section>", start));
    }

    @Test
    void missingDataFileIsAClearError(@TempDir Path out) {
        Study s = BundledStudies.get("dermamnist-25");
        StudyOptions o = new StudyOptions(s, s.select("01"), out.resolve("nope.npz"), null, "cpu", 0, 1, 100, out, false, null, 1);
        Exception e = assertThrows(java.io.IOException.class, () -> new StudyRunner(o, new PrintStream(new ByteArrayOutputStream())).run());
        assertTrue(e.getMessage().contains("nope.npz"), e.getMessage());
    }

    @Test
    void classWeightsAreInverseFrequency() {
        double[] w = StudyRecipes.inverseFrequency(new int[] {10, 30, 60});
        assertArrayEquals(new double[] {100.0 / 30, 100.0 / 90, 100.0 / 180}, w, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> StudyRecipes.inverseFrequency(new int[] {1, 0}));
    }
}
