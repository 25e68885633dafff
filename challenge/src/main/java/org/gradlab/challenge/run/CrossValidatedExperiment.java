package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.data.StratifiedKFold;
import org.gradlab.challenge.metrics.Bootstrap;
import org.gradlab.challenge.predict.Calibration;
import org.gradlab.challenge.predict.Ensembles;
import org.gradlab.challenge.predict.OperatingPoint;
import org.gradlab.challenge.predict.OutOfFold;
import org.gradlab.challenge.predict.TestTimeAugmentation;
import org.gradlab.challenge.study.ClinicalSettings;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.Image;

/**
 * {@code cv: {folds: k, stratify: true}}: the training and validation splits joined and cut into k stratified folds;
 * fold f's model trains on the other folds (validating, early-stopping and selecting on fold f) and predicts fold f
 * ("out of fold") and the test split. The CV score is the out-of-fold predictions scored as one, with a bootstrap
 * interval ("In CV we trust"); the test split is scored by the mean of the k fold models' probabilities. TTA applies
 * to both. In the results the "val" scores are the CV (out-of-fold) scores over train + validation. Each fold is a unit
 * of its own ({@link #fold}: in this process one after another, or one Spark task each); {@link #combine} joins them.
 */
final class CrossValidatedExperiment {
    /** What the k folds produced. */
    record Outcome(StudyResult result, ClinicalResult clinical, double[][] oof, int[] oofLabels, double[][] test) {}

    private CrossValidatedExperiment() {}

    static String problem(StudyExperiment e) {
        if (ClinicalSettings.cv(e).active() && e.model().pretrained()) {
            return "cv trains one model per fold from random initialisation: set model.pretrained: false with cv";
        }
        if (ClinicalSettings.cv(e).active() && ClinicalSettings.temperature(e)) {
            return "calibrate: temperature is fitted on the validation split, which cv folds into training: use one or the other";
        }
        return null;
    }

    /** A text that changes whenever the settings, seed or joined training size change: folds of another recipe are not reused. */
    static String fingerprint(StudyExperiment e, StudyData data, long seed) {
        return e.settings().values() + "|seed=" + seed + "|n=" + (data.train().n() + data.val().n());
    }

    /**
     * Fold {@code f} alone: its model trains on the other folds (validating, early-stopping and selecting on fold f),
     * is saved as {@code models/<id>-fold<f>.safetensors} and predicts fold f and the test split. It depends only on
     * its arguments, so the folds may train anywhere in any order (one Spark task each).
     */
    static FoldResult fold(StudyExperiment e, int f, StudyData data, Device device, long seed, int workers, Path outDir,
                           PrintStream log) throws IOException {
        ClinicalSettings.Cv cv = ClinicalSettings.cv(e);
        Split joined = StratifiedKFold.concat("train+val", data.train(), data.val());
        int[] fold = StratifiedKFold.assign(joined.labels(), data.numClasses(), cv.folds(), cv.stratify(), seed);
        ClinicalSettings.Tta tta = ClinicalSettings.tta(e);
        List<UnaryOperator<Image>> views = TestTimeAugmentation.views(tta.flips(), tta.rot90());
        float[][] norm = data.evaluationNormalization(e.input().normalize());
        int[] held = StratifiedKFold.indices(fold, f, true);
        Split tr = StratifiedKFold.subset("fold " + f + " train", joined, StratifiedKFold.indices(fold, f, false));
        Split va = StratifiedKFold.subset("fold " + f, joined, held);
        StudyData fd = new StudyData(data.flag(), data.file(), tr, va, data.test(), data.numClasses(), data.classNames());
        log.printf("  fold %d/%d: train %d, held out %d%n", f + 1, cv.folds(), tr.n(), va.n());
        Module model = StudyModels.build(e.model(), tr.c(), tr.h(), data.numClasses(),
                new Generator(seed * 1_000_003L + e.id().hashCode() * 31L + f));
        if (e.model().freezeBackbone()) {
            StudyModels.freezeBackbone(model, e.model());
        }
        MultiSampleHeads.install(model, e.model(), ClinicalSettings.multiSampleDropout(e));
        String foldId = e.id() + "-fold" + f;
        Path weights = SavedModel.weightsPath(outDir, foldId);
        Path checkpoint = EpochCheckpoint.path(outDir, foldId);
        StudyTrainer.Trained t = new StudyTrainer(e, seed + f, device, workers, log).train(fd, tr, model, weights, checkpoint);
        if (e.select().equals("last")) {
            SavedModel.saveWeights(weights, model);
        }
        Files.deleteIfExists(checkpoint);
        return new FoldResult(f, fingerprint(e, data, seed), held, ClinicalEvaluation.withViews(model, va, device, norm, views),
                ClinicalEvaluation.withViews(model, data.test(), device, norm, views), t.history(), t.trainSeconds(),
                t.params(), t.bestEpoch(), t.stoppedEarly());
    }

    /** The experiment's result from its folds (in fold order): out-of-fold CV scores, the test split by the folds' mean. */
    static Outcome combine(StudyExperiment e, StudyData data, List<FoldResult> folds, long seed, Path outDir, PrintStream log)
            throws IOException {
        ClinicalSettings.Cv cv = ClinicalSettings.cv(e);
        Split joined = StratifiedKFold.concat("train+val", data.train(), data.val());
        ClinicalSettings.Tta tta = ClinicalSettings.tta(e);
        List<UnaryOperator<Image>> views = TestTimeAugmentation.views(tta.flips(), tta.rot90());
        OutOfFold oof = new OutOfFold(joined.n());
        List<double[][]> tests = new ArrayList<>();
        List<EpochRecord> history = new ArrayList<>();
        double seconds = 0;
        long params = 0;
        int lastBest = 0;
        boolean stopped = false;
        for (FoldResult t : folds) {
            oof.put(t.held(), t.oof());
            tests.add(t.test());
            seconds += t.trainSeconds();
            params = t.params();
            for (EpochRecord r : t.history()) {   // the learning curves of all folds, one after another
                history.add(new EpochRecord(history.size() + 1, r.trainLoss(), r.trainAccuracy(), r.valLoss(), r.valAuc(),
                        r.valAccuracy(), r.valBalancedAccuracy(), r.lr(), r.seconds()));
            }
            lastBest = history.size() - t.history().size() + t.bestEpoch();
            stopped |= t.stoppedEarly();
        }
        double[][] oofProbs = oof.predictions();
        double[][] test = Ensembles.mean(tests);
        int k = data.numClasses();
        StudyScores cvScores = StudyScores.of(oofProbs, joined.labels(), k);
        StudyScores testScores = StudyScores.of(test, data.test().labels(), k);
        Bootstrap.Interval ci = new Bootstrap(seed).macroAuc(oofProbs, joined.labels(), k);
        log.printf("  CV (out-of-fold over %d samples): AUC %.4f [%.4f, %.4f]; test by the mean of %d fold models: AUC %.4f%n",
                joined.n(), cvScores.auc(), ci.lower(), ci.upper(), cv.folds(), testScores.auc());
        Map<String, String> settings = new LinkedHashMap<>();
        e.settings().values().forEach((key, v) -> settings.put(key, org.gradlab.challenge.study.Settings.format(v)));
        StudyResult r = new StudyResult(e.id(), e.name(), e.buildsOn(), e.note(), settings, params, seconds, history,
                lastBest, stopped, cvScores, testScores, outDir.relativize(SavedModel.weightsPath(outDir, e.id() + "-fold0")).toString(),
                cv.folds() + "-fold CV: val = out-of-fold predictions over train + validation (" + joined.n()
                        + "), test = mean of the fold models; learning curves of the folds one after another", null);
        StudyData oofData = new StudyData(data.flag(), data.file(), data.train(), joined, data.test(), k, data.classNames());
        ClinicalEvaluation.savePredictions(outDir, e.id(), new ClinicalEvaluation.Predictions(oofProbs, test));
        ClinicalSettings.OperatingPoint op = ClinicalSettings.operatingPoint(e);
        int cls = op.active() ? ClinicalSettings.classIndex(op.className(), data.classNames()) : -1;
        OperatingPoint.Result point = cls < 0 ? null : OperatingPoint.choose(data.classNames().get(cls), cls, op.targetRecall(),
                oofProbs, joined.labels(), test, data.test().labels(), seed);
        Map<String, Calibration.Scores> cal = new LinkedHashMap<>();
        cal.put("val_before", Calibration.Scores.of(oofProbs, joined.labels()));
        cal.put("test_before", Calibration.Scores.of(test, data.test().labels()));
        ClinicalResult c = ClinicalEvaluation.result(e.id(), cv.folds() + "-fold CV (val = out of fold)", views.size(), null,
                null, new ClinicalEvaluation.Predictions(oofProbs, test), oofData, null, cal, point, seed);
        return new Outcome(r, c, oofProbs, joined.labels(), test);
    }
}
