package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyFileException;
import org.gradlab.challenge.study.StudyParser;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The winners' settings end to end on a generated imbalanced 3-class RGB set: TTA, samplers, multi-sample dropout, operating point, calibration, ensembles. */
class ClinicalStudyTest {
    /** Class c lights channel c, noisily; class 0 is the majority (half of train). */
    static Path tinyData(Path dir) throws Exception {
        Path npz = dir.resolve("tiny.npz");
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        java.util.Random rnd = new java.util.Random(2);
        for (String split : List.of("train", "val", "test")) {
            int n = split.equals("train") ? 80 : 40;
            byte[] img = new byte[n * 12 * 12 * 3];
            byte[] lab = new byte[n];
            for (int i = 0; i < n; i++) {
                lab[i] = (byte) (i % 4 < 2 ? 0 : i % 4 - 1);
                for (int p = 0; p < 12 * 12; p++) {
                    for (int ch = 0; ch < 3; ch++) {
                        img[(i * 144 + p) * 3 + ch] = (byte) (rnd.nextInt(90) + (ch == lab[i] ? 60 : 0));
                    }
                }
            }
            arrays.put(split + "_images", NpyArray.ofBytes(new int[] {n, 12, 12, 3}, img));
            arrays.put(split + "_labels", NpyArray.ofBytes(new int[] {n, 1}, lab));
        }
        Npz.write(npz, arrays, false);
        return npz;
    }

    static Study parse(String yaml, Path dir) throws Exception {
        return StudyParser.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "t.yaml", dir);
    }

    static String run(Study s, Path out) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyOptions o = new StudyOptions(s, s.experiments(), null, null, "cpu", 3, null, null, out, false, null, 1);
        assertEquals(0, new StudyRunner(o, new PrintStream(log, true, StandardCharsets.UTF_8)).run(), log.toString());
        return log.toString();
    }

    @Test
    void ttaSamplersMultiSampleDropoutOperatingPointCalibrationAndEnsembles(@TempDir Path dir) throws Exception {
        tinyData(dir);
        Study s = parse("name: tiny\ndataset: {file: tiny.npz}\n"
                + "defaults: {optimizer: {name: adam, lr: 0.01}, epochs: 2, batch: 16, model: {name: baseline_cnn, dropout: 0.3},\n"
                + "  operating_point: {class: '2', target_recall: 0.8}}\n"
                + "experiments:\n"
                + "  - {id: plain}\n"
                + "  - {id: tta, set: {tta: {flips: true, rot90: true}, sampler.name: balanced, calibrate: temperature}}\n"
                + "  - {id: msd, set: {model.multi_sample_dropout: 4, sampler: {name: downsample_majority, ratio: 1.0}}}\n"
                + "ensembles:\n"
                + "  - {name: avg, members: [plain, tta, msd], method: mean}\n"
                + "  - {name: ranked, members: [plain, tta], method: rank}\n"
                + "  - {name: any, members: [plain, msd], method: or}\n", dir);
        String log = run(s, dir.resolve("out"));
        StudyEnsembles.ClinicalFile f = StudyEnsembles.load(dir.resolve("out"));
        assertEquals(List.of("plain", "tta", "msd"), f.experiments().stream().map(ClinicalResult::id).toList());
        assertEquals(List.of("avg", "ranked", "any"), f.ensembles().stream().map(ClinicalResult::id).toList());
        ClinicalResult plain = f.experiments().get(0);
        ClinicalResult tta = f.experiments().get(1);
        assertEquals(1, plain.ttaViews());
        assertEquals(plain.plainVal().auc(), plain.val().auc(), 0, "no TTA: final = plain");
        assertEquals(8, tta.ttaViews());
        assertNotEquals(tta.plainVal().loss(), tta.calibration().get("val_before").nll(), "8 views change the probabilities");
        assertNotNull(tta.temperature());
        assertTrue(tta.calibration().get("val_after").nll() <= tta.calibration().get("val_before").nll() + 1e-12,
                "temperature scaling never raises the validation NLL it was fitted on");
        for (ClinicalResult r : f.experiments()) {
            assertEquals(2, r.operatingPoint().classIndex());
            assertTrue(r.operatingPoint().val().recall() >= 0.8, r.id() + ": the target recall is reached on validation");
            assertTrue(r.testAucCi()[0] <= r.test().auc() && r.test().auc() <= r.testAucCi()[1]);
        }
        ClinicalResult any = f.ensembles().get(2);
        assertEquals(1.0, any.operatingPoint().threshold(), "the 'or' rule decides at 1");
        assertTrue(any.operatingPoint().val().recall() >= Math.max(plain.operatingPoint().val().recall(),
                f.experiments().get(2).operatingPoint().val().recall()), "'or' flags at least what each member flags");
        assertTrue(log.contains("TTA x8: val AUC"), log);
        String html = Files.readString(dir.resolve("out/study.html"));
        assertTrue(html.contains("Decisions: TTA, ensembles, operating point, calibration"));
        assertTrue(html.contains("alt=\"operating point any\"") && html.contains("alt=\"reliability tta\""));
        assertTrue(Files.exists(dir.resolve("out/predictions/msd.json")));
    }

    @Test
    void crossValidationScoresOutOfFoldOverTrainAndValidationAndTestsTheMeanOfTheFoldModels(@TempDir Path dir) throws Exception {
        tinyData(dir);
        Study s = parse("name: tiny\ndataset: {file: tiny.npz}\n"
                + "defaults: {optimizer: {name: adam, lr: 0.01}, epochs: 1, batch: 16, cv: {folds: 3}, tta: {flips: true},\n"
                + "  operating_point: {class: '1', target_recall: 0.7}}\nexperiments:\n  - {id: a}\n", dir);
        String log = run(s, dir.resolve("out"));
        StudyResult r = org.gradlab.challenge.run.SavedModel.JSON.readValue(dir.resolve("out/study-results.json").toFile(),
                StudyResult[].class)[0];
        int n = 0;
        for (int[] row : r.val().confusion()) {
            n += java.util.Arrays.stream(row).sum();
        }
        assertEquals(120, n, "the CV score covers train (80) + validation (40), every sample once");
        assertEquals(3, r.history().size(), "one epoch per fold, one after another");
        for (int f = 0; f < 3; f++) {
            assertTrue(Files.exists(dir.resolve("out/models/a-fold" + f + ".safetensors")));
        }
        ClinicalEvaluation.Predictions p = ClinicalEvaluation.loadPredictions(dir.resolve("out"), "a");
        assertEquals(120, p.val().length);
        assertEquals(40, p.test().length);
        ClinicalResult c = StudyEnsembles.load(dir.resolve("out")).experiments().get(0);
        assertEquals(4, c.ttaViews());
        assertTrue(c.operatingPoint().val().recall() >= 0.7);
        assertTrue(log.contains("CV (out-of-fold over 120 samples)"), log);
    }

    @Test
    void clinicalSettingsAreCheckedBeforeTraining(@TempDir Path dir) throws Exception {
        tinyData(dir);
        Study bad = parse("name: t\ndataset: {file: tiny.npz}\nexperiments:\n  - {id: a, set: {operating_point.class: mel}}\n", dir);
        StudyFileException e = assertThrows(StudyFileException.class, () -> run(bad, dir.resolve("o1")));
        assertEquals("t.yaml: experiment 'a': operating_point.class 'mel' is not a class of the data: expected a name or an index 0..2 "
                + "(0: class 0; 1: class 1; 2: class 2)", e.getMessage());
        Study msd = parse("name: t\ndataset: {file: tiny.npz}\nexperiments:\n  - {id: a, set: {model.multi_sample_dropout: 3}}\n", dir);
        assertTrue(assertThrows(StudyFileException.class, () -> run(msd, dir.resolve("o2"))).getMessage()
                .contains("set model.dropout > 0"));
        Study or = parse("name: t\ndataset: {file: tiny.npz}\nexperiments:\n  - {id: a}\n  - {id: b}\n"
                + "ensembles: [{name: e, members: [a, b], method: or}]\n", dir);
        assertTrue(assertThrows(StudyFileException.class, () -> run(or, dir.resolve("o3"))).getMessage()
                .contains("needs every member's operating point"));
        assertFalse(Files.exists(dir.resolve("o1/study-results.json")));
    }
}
