package org.gradlab.challenge.run;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.challenge.study.StudyParser;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.nn.Module;

/**
 * Scores a saved model ({@code models/<id>.safetensors} and its sidecar) on one split of a dataset: the model is
 * rebuilt from the experiment the sidecar spells out, its weights loaded, and the split evaluated with the
 * experiment's evaluation transform.
 */
public final class ModelEvaluation {
    private ModelEvaluation() {}

    /**
     * @param data    an npz, or null to use {@code dataset}
     * @param dataset a MedMNIST flag (at the size the model was trained at), or null for the data it was trained on
     */
    @SuppressWarnings("unchecked")
    public static StudyScores evaluate(Path modelFile, Path data, String dataset, String split, Device device, Path cache,
                                       PrintStream out) throws IOException, InterruptedException {
        Map<String, Object> side = SavedModel.readSidecar(modelFile);
        String yaml = (String) side.get("study_yaml");
        Study study = StudyParser.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                SavedModel.sidecarPath(modelFile) + " (study_yaml)", modelFile.toAbsolutePath().getParent());
        StudyExperiment e = study.experiments().get(0);
        Map<String, Object> d = (Map<String, Object>) side.get("data");
        int channels = ((Number) d.get("channels")).intValue();
        int size = ((Number) d.get("size")).intValue();
        int classes = ((Number) d.get("classes")).intValue();
        String flag = dataset != null ? dataset : "null".equals(d.get("flag")) ? null : (String) d.get("flag");
        Path file;
        if (data != null || dataset != null) {
            file = StudyDataFiles.resolve(new Study.DatasetRef(dataset, size, null), data, cache, out);
        } else {
            file = Path.of((String) d.get("file"));
        }
        StudyData sd = StudyData.load(file, flag).prepared(channels, size);
        if (sd.numClasses() != classes) {
            throw new IllegalArgumentException(file + ": " + sd.numClasses() + " classes, but " + modelFile
                    + " was trained on " + classes);
        }
        Module model = StudyModels.build(e.model(), channels, size, classes, new Generator(0));
        SavedModel.loadWeights(modelFile, model);
        model.to(device);
        float[][] norm = sd.evaluationNormalization(e.input().normalize());
        double[][] probs = Evaluation.probabilities(model, sd.split(split), device, norm[0], norm[1]);
        return StudyScores.of(probs, sd.split(split).labels(), classes);
    }
}
