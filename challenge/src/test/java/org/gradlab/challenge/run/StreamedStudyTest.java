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
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.SyntheticMedMnist;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study trained on splits read from disk image by image ({@code gradlab.streamSplitBytes=0}: every split is
 * memory-mapped, resized per image in the data-loading workers) gives exactly the learning curves and scores of the
 * same study on splits loaded into memory.
 */
class StreamedStudyTest {
    private static final String STUDY = "name: streamed\ndataset: {file: synthetic_dermamnist.npz}\ndefaults:\n"
            + "  model: {name: baseline_cnn}\n  input: {resize: 20, normalize: imagenet}\n"
            + "  augment: [{resized_crop: {size: 20, scale: [0.5, 1.0]}}, {hflip: 0.5}, {rotate: 10}]\n  optimizer: {name: adam, lr: 2.0e-3}\n  epochs: 2\n  batch: 16\n"
            + "experiments:\n  - {id: a}\n";

    private static List<StudyResult> run(Path dir, String out) throws Exception {
        Study s = StudyParser.read(new ByteArrayInputStream(STUDY.getBytes(StandardCharsets.UTF_8)), "streamed.yaml", dir);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        StudyOptions o = new StudyOptions(s, s.experiments(), null, null, "cpu", 5, null, null, dir.resolve(out), false,
                null, 2);
        assertEquals(0, new StudyRunner(o, new PrintStream(log, true, StandardCharsets.UTF_8)).run(), log.toString());
        return SavedModel.JSON.readValue(dir.resolve(out).resolve("study-results.json").toFile(),
                new TypeReference<List<StudyResult>>() {});
    }

    @Test
    void streamedSplitsTrainExactlyAsInMemory(@TempDir Path dir) throws Exception {
        SyntheticMedMnist.write(dir, 160, 60, 60, 9);
        StudyResult memory = run(dir, "memory").get(0);
        StudyResult streamed;
        System.setProperty(MedMnist.STREAM_PROPERTY, "0");
        try {
            streamed = run(dir, "streamed").get(0);
        } finally {
            System.clearProperty(MedMnist.STREAM_PROPERTY);
        }
        try (var files = Files.list(dir)) {
            assertEquals(3, files.filter(p -> p.getFileName().toString().endsWith(".npy")).count(),
                    "the compressed image entries were unpacked and mapped");
        }
        assertEquals(memory.history().size(), streamed.history().size());
        for (int i = 0; i < memory.history().size(); i++) {
            EpochRecord m = memory.history().get(i);
            EpochRecord s = streamed.history().get(i);
            assertEquals(m.trainLoss(), s.trainLoss(), 0.0, "train loss, epoch " + m.epoch());
            assertEquals(m.trainAccuracy(), s.trainAccuracy(), 0.0);
            assertEquals(m.valLoss(), s.valLoss(), 0.0, "val loss, epoch " + m.epoch());
            assertEquals(m.valAuc(), s.valAuc(), 0.0);
            assertEquals(m.valBalancedAccuracy(), s.valBalancedAccuracy(), 0.0);
        }
        assertEquals(memory.test().auc(), streamed.test().auc(), 0.0);
        assertEquals(memory.test().accuracy(), streamed.test().accuracy(), 0.0);
        assertArrayEquals(memory.test().confusion(), streamed.test().confusion());
        assertTrue(memory.val().auc() > 0.6, "it learned: val AUC " + memory.val().auc());
    }
}
