package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gradlab.challenge.data.SyntheticMedMnist;
import org.gradlab.challenge.report.FailedRun;
import org.gradlab.challenge.report.ResultsFile;
import org.gradlab.challenge.report.ResultsStore;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study in which one experiment really diverges (SGD at lr 1e12) and one does not, on generated data in the
 * DermaMNIST layout: the first is a failed row naming the epoch, batch, op and layer in every output, the second
 * finishes, the run's status is non-zero, and --resume does not retrain the failed one.
 */
class DivergedExperimentTest {
    private static Study study(Path dir) throws Exception {
        String yaml = "name: diverge\ndataset: {name: dermamnist}\n"
                + "defaults: {model: {name: baseline_cnn}, optimizer: {name: sgd, lr: 0.01}, epochs: 1, batch: 32}\n"
                + "experiments:\n  - {id: boom, name: Too hot, set: {optimizer.lr: 1.0e12}}\n  - {id: calm, name: Calm}\n";
        return StudyParser.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "diverge.yaml", dir);
    }

    @Test
    void aDivergedExperimentIsAFailedRowAndTheStudyGoesOn(@TempDir Path dir) throws Exception {
        Path data = SyntheticMedMnist.write(dir, 320, 64, 64, 3);
        Study s = study(dir);
        Path out = dir.resolve("out");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyOptions o = new StudyOptions(s, s.experiments(), data, null, "cpu", 0, null, null, out, false, null, 1);
        int rc = new StudyRunner(o, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        String console = log.toString(StandardCharsets.UTF_8);
        assertEquals(StudyRunner.EXPERIMENTS_FAILED, rc, console);

        List<StudyResult> results = SavedModel.JSON.readValue(out.resolve("study-results.json").toFile(),
                new TypeReference<List<StudyResult>>() {});
        StudyResult boom = results.stream().filter(r -> r.id().equals("boom")).findFirst().orElseThrow();
        StudyResult calm = results.stream().filter(r -> r.id().equals("calm")).findFirst().orElseThrow();
        assertTrue(boom.isFailed(), "lr 1e12 diverges");
        Divergence d = boom.failure();
        assertEquals(1, d.epoch());
        assertTrue(d.batch() >= 1 && d.batch() <= 10, "batch " + d.batch());
        assertNotNull(d.op(), "an op is named: " + d);
        assertTrue(List.of("forward", "backward").contains(d.phase()), d.toString());
        assertTrue(d.layer().matches("features\\.\\d+|classifier(\\.\\d+)?|\\(no module\\)"), "a layer of the model: " + d);
        assertNull(boom.val(), "a failed row has no scores");
        assertFalse(Files.exists(SavedModel.weightsPath(out, "boom")), "a failed experiment leaves no model");
        assertFalse(calm.isFailed());
        assertTrue(calm.val().auc() > 0.5 && Double.isFinite(calm.test().auc()), "the next experiment ran: " + calm.val().auc());

        String line = console.lines().filter(l -> l.startsWith("exp boom Too hot: FAILED, diverged at epoch 1, batch "))
                .findFirst().orElse(null);
        assertNotNull(line, console);
        assertTrue(line.contains(" of " + d.op() + " in layer " + d.layer()) && line.endsWith("; the study goes on"), line);
        assertTrue(console.contains("1 of 2 experiments FAILED (exit status 3):"), console);

        String html = Files.readString(out.resolve("study.html"));
        assertTrue(html.contains("<tr class=\"failed\">") && html.contains("<b>FAILED</b>: " + d.reason().replace("(", "(")),
                "study.html marks the failed row");
        assertTrue(html.contains("1 of 2 experiments finished, 1 failed"), "the summary counts it");
        ResultsFile challenge = ResultsStore.read(out.resolve("results.json"));
        assertEquals(List.of("calm"), challenge.runs().stream().map(r -> r.id()).toList());
        FailedRun f = challenge.failed().get(0);
        assertEquals("boom", f.id());
        assertEquals(d.op(), f.op());
        assertEquals(d.layer(), f.layer());
        assertTrue(Files.readString(out.resolve("report.html")).contains("class=\"failed\""), "report.html has the failed row");
        assertTrue(Files.readString(out.resolve("results.csv")).lines().anyMatch(l -> l.startsWith("boom,") && l.contains("diverged")));

        ByteArrayOutputStream again = new ByteArrayOutputStream();
        StudyOptions resume = new StudyOptions(s, s.experiments(), data, null, "cpu", 0, null, null, out, true, null, 1);
        assertEquals(StudyRunner.EXPERIMENTS_FAILED, new StudyRunner(resume, new PrintStream(again, true, StandardCharsets.UTF_8)).run());
        String second = again.toString(StandardCharsets.UTF_8);
        assertTrue(second.contains("exp boom Too hot: FAILED in an earlier run (") && second.contains("not retrained by --resume")
                && second.contains("exp calm Calm: already in"), second);
    }

    /**
     * With anomaly detection on for the whole run ({@code challenge --detect-anomaly}) the step itself stops at the first
     * non-finite value: the same op and layer as the replay names, recorded the same way.
     */
    @Test
    void anomalyDetectionForTheWholeRunRecordsTheSameFailure(@TempDir Path dir) throws Exception {
        Path data = SyntheticMedMnist.write(dir, 320, 64, 64, 3);
        Study s = study(dir);
        Divergence replayed = boomFailure(s, data, dir.resolve("replayed"));
        Divergence d;
        org.gradlab.engine.autograd.Autograd.setAnomalyDetection(true);
        try {
            d = boomFailure(s, data, dir.resolve("anomaly"));
        } finally {
            org.gradlab.engine.autograd.Autograd.setAnomalyDetection(false);
        }
        assertEquals("anomaly detection stopped the step", d.symptom(), d.toString());
        assertNotNull(d.op(), d.toString());
        assertEquals(List.of(replayed.epoch(), replayed.batch(), replayed.op(), replayed.layer(), replayed.phase()),
                List.of(d.epoch(), d.batch(), d.op(), d.layer(), d.phase()), "the replay and the whole-run detector agree");
    }

    private static Divergence boomFailure(Study s, Path data, Path out) throws Exception {
        StudyOptions o = new StudyOptions(s, s.select("boom"), data, null, "cpu", 0, null, null, out, false, null, 1);
        assertEquals(StudyRunner.EXPERIMENTS_FAILED, new StudyRunner(o, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8)).run());
        return SavedModel.JSON.readValue(out.resolve("study-results.json").toFile(), StudyResult[].class)[0].failure();
    }
}
