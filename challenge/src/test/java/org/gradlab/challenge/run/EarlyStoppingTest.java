package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.gradlab.challenge.data.SyntheticMedMnist;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping and {@code select: best}, made certain: a step schedule multiplies the learning rate by 10 every
 * epoch (3e-3, 3e-2, 0.3, ...), so after a first epoch or two that learn, Adam's steps wreck the model and the
 * validation loss rises; with patience 1 training stops one epoch after the best, and the best epoch's weights are
 * restored before the final scores.
 */
class EarlyStoppingTest {
    @Test
    void stopsAfterPatienceAndScoresTheRestoredBestEpoch(@TempDir Path dir) throws Exception {
        SyntheticMedMnist.write(dir, 160, 60, 60, 4);
        String yaml = "name: es\ndataset: {file: synthetic_dermamnist.npz}\ndefaults:\n  model: {name: baseline_cnn}\n"
                + "  optimizer: {name: adam, lr: 3.0e-3}\n  schedule: {name: step, step_size: 1, gamma: 10.0}\n  epochs: 8\n"
                + "  batch: 16\n  early_stopping: {patience: 1, monitor: val_loss}\n  select: best\nexperiments: [{id: a}]\n";
        Study s = StudyParser.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "es.yaml", dir);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyOptions o = new StudyOptions(s, s.experiments(), null, null, "cpu", 3, null, null, dir.resolve("out"), false,
                null, 1);
        assertEquals(0, new StudyRunner(o, new PrintStream(log, true, StandardCharsets.UTF_8)).run(), log.toString());
        StudyResult r = SavedModel.JSON.readValue(dir.resolve("out/study-results.json").toFile(),
                new TypeReference<List<StudyResult>>() {}).get(0);
        List<EpochRecord> h = r.history();
        assertTrue(r.stoppedEarly(), "stopped before epoch 8: " + h);
        assertEquals(r.selectedEpoch() + 1, h.size(), "patience 1: one epoch without improvement, then stop");
        EpochRecord best = h.get(r.selectedEpoch() - 1);
        for (EpochRecord e : h) {
            assertTrue(best.valLoss() <= e.valLoss(), "the selected epoch has the lowest val loss: " + h);
        }
        assertTrue(h.get(h.size() - 1).valLoss() > best.valLoss(), "the last epoch is worse");
        assertEquals(best.valLoss(), r.val().loss(), 1e-6, "scored with the best epoch's weights, not the last");
        assertEquals(best.valAuc(), r.val().auc(), 1e-9);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("restored the weights of epoch " + r.selectedEpoch()));
    }
}
