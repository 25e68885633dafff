package org.gradlab.challenge.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.gradlab.challenge.data.SyntheticMedMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gradlab evaluate} on a model that {@code gradlab study run} saved prints the scores the run recorded. */
class EvaluateCommandTest {
    /** Runs the command line with System.out captured (the study and evaluate commands print there). */
    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            GradLabCliTest.Result r = GradLabCliTest.run(args);
            assertEquals(0, r.code(), out + r.err());
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSavedModelScoresAsTheRunDid(@TempDir Path dir) throws Exception {
        Path npz = SyntheticMedMnist.write(dir, 120, 40, 40, 6);
        Path study = dir.resolve("s.yaml");
        Files.writeString(study, "name: s\ndataset: {file: synthetic_dermamnist.npz}\ndefaults: {optimizer: {name: adam, "
                + "lr: 0.003}, epochs: 2, batch: 16, select: best}\nexperiments: [{id: a}]\n");
        run("study", "run", study.toString(), "--out", dir.resolve("out").toString(), "--threads", "1");
        JsonNode result = new ObjectMapper().readTree(dir.resolve("out/study-results.json").toFile()).get(0);
        Path model = dir.resolve("out").resolve(result.get("model_file").asText());
        for (String split : new String[] {"val", "test"}) {
            String printed = run("evaluate", "--model", model.toString(), "--data", npz.toString(), "--split", split,
                    "--device", "cpu");
            JsonNode s = result.get(split);
            String expected = String.format(Locale.ROOT, "on %s: AUC %.4f, accuracy %.4f, balanced accuracy %.4f", split,
                    s.get("auc").asDouble(), s.get("accuracy").asDouble(), s.get("balanced_accuracy").asDouble());
            assertTrue(printed.contains(expected), "expected '" + expected + "' in:\n" + printed);
        }
    }
}
