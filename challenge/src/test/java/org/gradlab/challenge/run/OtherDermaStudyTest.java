package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gradlab.challenge.data.SyntheticMedMnist;
import org.gradlab.challenge.report.PublishedResults;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DermaMNIST study that is not the 25-experiment challenge gets DermaMNIST's clinical report but no comparison with
 * the challenge's published figures (no "0 of 0 experiments 01-22 within ±0.03" line); only the 25-experiment study,
 * or a study with its own {@code published:} file, compares.
 */
class OtherDermaStudyTest {
    private static Study parse(String yaml, Path dir) throws Exception {
        return StudyParser.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "d.yaml", dir);
    }

    @Test
    void aDermaMnistStudyOfOtherExperimentsComparesWithNothing(@TempDir Path dir) throws Exception {
        Path npz = SyntheticMedMnist.write(dir, 120, 40, 40, 2);
        Study s = parse("name: derma-small\ndataset: {name: dermamnist}\ndefaults: {optimizer: {name: adam, lr: 0.002}, "
                + "epochs: 1, batch: 32}\nexperiments:\n  - {id: base}\n  - {id: flip, set: {augment: [{hflip: 0.5}]}}\n", dir);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyOptions o = new StudyOptions(s, s.experiments(), npz, null, "cpu", 1, null, null, dir.resolve("out"), false,
                null, 1);
        assertEquals(0, new StudyRunner(o, new PrintStream(log, true, StandardCharsets.UTF_8)).run(), log.toString());
        String console = log.toString(StandardCharsets.UTF_8);
        assertTrue(console.contains("mel  cancer"), "DermaMNIST's clinical columns: " + console);
        assertFalse(console.contains("within ±"), console);
        String report = Files.readString(dir.resolve("out/report.html"));
        assertFalse(report.contains("AUC within") || report.contains("Results: ours vs published"));
        assertTrue(report.contains("id=\"exp-flip\""));
        String study = Files.readString(dir.resolve("out/study.html"));
        assertFalse(study.contains("published AUC") || study.contains("within ±"));
        assertTrue(study.contains("Intervals and calibration") && !study.contains("Operating point on the ROC curve"),
                "no TTA, ensembles or operating points: no table of dashes, no empty ROC grid");
    }

    @Test
    void onlyTheChallengeOrAPublishedFileInItsFormatIsCompared(@TempDir Path dir) throws Exception {
        assertEquals(25, StudyRunner.challengePublished(BundledStudies.get("dermamnist-25")).size());
        assertEquals(0, StudyRunner.challengePublished(BundledStudies.get("dermamnist-clinical")).size());
        Files.writeString(dir.resolve("auc-only.csv"), "id,auc\nbase,0.8\n");
        assertEquals(0, StudyRunner.challengePublished(parse("name: x\ndataset: {name: dermamnist}\npublished: auc-only.csv\n"
                + "experiments: [{id: base}]\n", dir)).size(), "an id,auc table is compared in study.html only");
        Files.writeString(dir.resolve("full.csv"), "id,name,chapter,auc,melanoma_recall,cancer_sensitivity,accuracy,params,"
                + "train_seconds\nbase,Base,1,0.81,0.2,0.3,0.7,100,5\n");
        PublishedResults full = StudyRunner.challengePublished(parse("name: x\ndataset: {name: dermamnist}\n"
                + "published: full.csv\nexperiments: [{id: base}]\n", dir));
        assertEquals(0.81, full.get("base").orElseThrow().auc());
    }
}
