package org.gradlab.challenge.run;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.metrics.Bootstrap;
import org.gradlab.challenge.predict.Calibration;
import org.gradlab.challenge.predict.OperatingPoint;
import org.gradlab.challenge.predict.TemperatureScaling;
import org.gradlab.challenge.predict.TestTimeAugmentation;
import org.gradlab.challenge.study.ClinicalSettings;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Device;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.Image;

/**
 * The evaluation after training that the winners' settings ask for: TTA ({@code tta}), a temperature fitted on
 * validation ({@code calibrate: temperature}), calibration scores, and the operating point ({@code operating_point})
 * on the final predictions. The final validation and test predictions are kept in {@code predictions/<id>.json}
 * for the study's ensembles; the result goes to {@code study-clinical.json}.
 */
public final class ClinicalEvaluation {
    private ClinicalEvaluation() {}

    /** Final predictions of one model or ensemble on both splits. */
    public record Predictions(double[][] val, double[][] test) {}

    /**
     * @param valPlain  the model's validation probabilities without TTA; @param testPlain the same for test
     */
    static ClinicalResult evaluate(StudyExperiment e, Module model, StudyData data, Device device, float[][] norm,
                                   double[][] valPlain, double[][] testPlain, long seed, Path outDir) throws IOException {
        ClinicalSettings.Tta tta = ClinicalSettings.tta(e);
        List<UnaryOperator<Image>> views = TestTimeAugmentation.views(tta.flips(), tta.rot90());
        double[][] val = views.size() == 1 ? valPlain : withViews(model, data.val(), device, norm, views);
        double[][] test = views.size() == 1 ? testPlain : withViews(model, data.test(), device, norm, views);
        int k = data.numClasses();
        Map<String, Calibration.Scores> cal = new LinkedHashMap<>();
        cal.put("val_before", Calibration.Scores.of(val, data.val().labels()));
        cal.put("test_before", Calibration.Scores.of(test, data.test().labels()));
        Double temperature = null;
        if (ClinicalSettings.temperature(e)) {
            temperature = TemperatureScaling.fit(val, data.val().labels());
            val = TemperatureScaling.apply(val, temperature);
            test = TemperatureScaling.apply(test, temperature);
            cal.put("val_after", Calibration.Scores.of(val, data.val().labels()));
            cal.put("test_after", Calibration.Scores.of(test, data.test().labels()));
        }
        savePredictions(outDir, e.id(), new Predictions(val, test));
        ClinicalSettings.OperatingPoint op = ClinicalSettings.operatingPoint(e);
        int cls = op.active() ? ClinicalSettings.classIndex(op.className(), data.classNames()) : -1;
        OperatingPoint.Result point = cls < 0 ? null : OperatingPoint.choose(data.classNames().get(cls), cls, op.targetRecall(),
                val, data.val().labels(), test, data.test().labels(), seed);
        return result(e.id(), "experiment", views.size(), StudyScores.of(valPlain, data.val().labels(), k),
                StudyScores.of(testPlain, data.test().labels(), k), new Predictions(val, test), data, temperature, cal,
                point, seed);
    }

    /** The common part of an experiment's and an ensemble's result. */
    static ClinicalResult result(String id, String kind, int views, StudyScores plainVal, StudyScores plainTest,
                                 Predictions p, StudyData data, Double temperature, Map<String, Calibration.Scores> cal,
                                 OperatingPoint.Result point, long seed) {
        int k = data.numClasses();
        int[] vl = data.val().labels();
        int[] tl = data.test().labels();
        Bootstrap.Interval va = new Bootstrap(seed).macroAuc(p.val(), vl, k);
        Bootstrap.Interval ta = new Bootstrap(seed + 1).macroAuc(p.test(), tl, k);
        double[][] rocVal = null;
        double[][] rocTest = null;
        if (point != null) {
            rocVal = oneVsRestRoc(p.val(), vl, point.classIndex());
            rocTest = oneVsRestRoc(p.test(), tl, point.classIndex());
        }
        return new ClinicalResult(id, kind, views, plainVal, plainTest, StudyScores.of(p.val(), vl, k),
                StudyScores.of(p.test(), tl, k), new double[] {va.lower(), va.upper()}, new double[] {ta.lower(), ta.upper()},
                temperature, cal.isEmpty() ? null : cal, point, rocVal, rocTest);
    }

    /** Mean class probabilities over the views. */
    static double[][] withViews(Module model, Split split, Device device, float[][] norm, List<UnaryOperator<Image>> views) {
        List<double[][]> per = new ArrayList<>();
        for (UnaryOperator<Image> v : views) {
            per.add(Evaluation.probabilities(model, split, device, norm[0], norm[1], v));
        }
        return TestTimeAugmentation.average(per);
    }

    /** ROC points {fpr, tpr} of class {@code cls} against the rest. */
    static double[][] oneVsRestRoc(double[][] probs, int[] labels, int cls) {
        double[][] two = new double[probs.length][];
        int[] bin = new int[labels.length];
        for (int i = 0; i < probs.length; i++) {
            two[i] = new double[] {1 - probs[i][cls], probs[i][cls]};
            bin[i] = labels[i] == cls ? 1 : 0;
        }
        return StudyScores.roc(two, bin);
    }

    static Path predictionsPath(Path outDir, String id) {
        return outDir.resolve("predictions").resolve(id + ".json");
    }

    static void savePredictions(Path outDir, String id, Predictions p) throws IOException {
        Files.createDirectories(predictionsPath(outDir, id).getParent());
        SavedModel.JSON.writeValue(predictionsPath(outDir, id).toFile(), p);
    }

    /** The saved final predictions of experiment {@code id}, or null when it has none yet. */
    static Predictions loadPredictions(Path outDir, String id) throws IOException {
        Path f = predictionsPath(outDir, id);
        return Files.isRegularFile(f) ? SavedModel.JSON.readValue(f.toFile(), new TypeReference<Predictions>() {}) : null;
    }
}
