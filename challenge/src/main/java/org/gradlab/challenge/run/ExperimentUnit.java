package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.report.ExperimentHealth;
import org.gradlab.challenge.report.FailedRun;
import org.gradlab.challenge.report.HealthStore;
import org.gradlab.challenge.report.RunResult;
import org.gradlab.challenge.report.SplitMetrics;
import org.gradlab.challenge.study.ClinicalSettings;
import org.gradlab.challenge.study.Settings;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.challenge.study.StudyYaml;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.backend.DeviceDetection;
import org.gradlab.nn.Module;

/**
 * One unit of a study's work — a whole experiment, or one fold of a {@code cv} experiment — as a function of the
 * study, the experiment, the fold, the seed and the data: it trains, evaluates and returns its {@link UnitOutcome},
 * writing its files (models/, health/, predictions/, checkpoints/) only under {@code outDir}. It reads nothing that
 * other units wrote and depends on nothing of the process it runs in: the seed travels with the unit, so a unit trained
 * on a Spark executor gives the numbers this process would. What joins units (the study's tables and report, the
 * ensembles, a cv experiment's folds) is the driver's, {@link StudyRunner}.
 */
public final class ExperimentUnit {
    /** Where and how a unit runs. */
    public record Context(long seed, Device device, Path weights, Path cacheDir, int workers, Path outDir, PrintStream log) {}

    private static StudyData lastRaw;
    private static String lastStamp;

    private ExperimentUnit() {}

    /** A unit written down on another machine ({@link UnitSpec}), run here on {@code dataFile} and {@code device}. */
    public static UnitOutcome run(UnitSpec spec, Path dataFile, String device, Path outDir, PrintStream log) throws IOException {
        Study study = spec.source().parse();
        StudyExperiment e = study.get(spec.experimentId());
        if (spec.epochs() != null) {
            e = e.with("epochs", spec.epochs());
        }
        StudyData raw = raw(dataFile, spec.dataFlag());
        StudyData data = raw.limitTrain(spec.limitTrain()).prepared(e.input().channels(), e.input().resize());
        boolean limited = spec.limitTrain() != null && spec.limitTrain() < raw.train().n();
        Path cache = spec.cache() != null ? Path.of(spec.cache()) : Path.of(System.getProperty("user.home"), ".cache", "gradlab");
        Context ctx = new Context(spec.seed(), DeviceDetection.resolve(device, log), spec.weights() == null ? null
                : Path.of(spec.weights()), cache, spec.workers(), outDir, log);
        return run(study, e, spec.fold(), data, limited, ctx);
    }

    /** {@code e} (or its fold {@code fold} when >= 0) on {@code data}, prepared for it. A divergence is a failed row. */
    public static UnitOutcome run(Study study, StudyExperiment e, int fold, StudyData data, boolean limited, Context ctx)
            throws IOException {
        if (fold <= 0) {
            ctx.log().printf("%nexp %s %s — %s%n", e.id(), e.name(), e.recipe());
        }
        try {
            if (fold >= 0) {
                FoldResult f = CrossValidatedExperiment.fold(e, fold, data, ctx.device(), ctx.seed(), ctx.workers(), ctx.outDir(),
                        ctx.log());
                return new UnitOutcome(e.id(), fold, null, null, null, null, f, false);
            }
            return whole(study, e, data, limited, ctx);
        } catch (ExperimentDiverged d) {
            return failed(e, fold, d, ctx);
        }
    }

    /**
     * The data file's splits, read once per process: the driver's run and the units after it (a local Spark master's
     * executors live in the driver's JVM) reuse the last file read while its size and modification time are unchanged.
     */
    static synchronized StudyData raw(Path file, String flag) throws IOException {
        // NOTE: the streaming threshold decides whether the splits are held in memory or mapped, so it is part of the key
        String stamp = file.toAbsolutePath().normalize() + "|" + flag + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file)
                + "|" + org.gradlab.challenge.data.MedMnist.streamThresholdBytes();
        if (lastRaw == null || !stamp.equals(lastStamp)) {
            lastRaw = null;   // NOTE: let the old splits go before the new ones are read
            lastRaw = StudyData.load(file, flag);
            lastStamp = stamp;
        }
        return lastRaw;
    }

    /**
     * The failed row of an experiment whose training diverged: its settings, the epochs it finished and where it
     * diverged. Its checkpoint and any weights it saved are removed: a failed experiment leaves no model behind.
     */
    private static UnitOutcome failed(StudyExperiment e, int fold, ExperimentDiverged d, Context ctx) throws IOException {
        String key = fold < 0 ? e.id() : e.id() + "-fold" + fold;
        Path weights = SavedModel.weightsPath(ctx.outDir(), key);
        Files.deleteIfExists(EpochCheckpoint.path(ctx.outDir(), key));
        Files.deleteIfExists(weights);
        Files.deleteIfExists(SavedModel.sidecarPath(weights));
        Map<String, String> settings = new LinkedHashMap<>();
        e.settings().values().forEach((k, v) -> settings.put(k, Settings.format(v)));
        Divergence why = d.divergence();
        StudyResult r = StudyResult.failed(e.id(), e.name(), e.buildsOn(), e.note(), settings, d.params(), d.trainSeconds(),
                d.history(), fold < 0 ? null : "fold " + fold + " diverged", why);
        FailedRun row = new FailedRun(e.id(), e.name(), e.chapter(), ctx.device().toString(), ctx.seed(), why.reason(), why.epoch(),
                why.batch(), why.op(), why.layer());
        return new UnitOutcome(e.id(), fold, r, null, row, null, null, false);
    }

    private static UnitOutcome whole(Study study, StudyExperiment e, StudyData data, boolean limited, Context ctx)
            throws IOException {
        PrintStream out = ctx.log();
        Split train = data.train();
        Generator init = new Generator(ctx.seed() * 1_000_003L + idNumber(e.id()));
        StudyExperiment.Model m = e.model();
        Module model = StudyModels.build(m, train.c(), train.h(), data.numClasses(), init);
        Boolean usedPretrained = null;
        String notes = null;
        if (m.pretrained()) {
            usedPretrained = false;
            if (!m.name().equals("resnet18")) {
                notes = "trained from random initialisation: no ImageNet weights for " + m.name();
            } else {
                PretrainedWeights.Outcome w = new PretrainedWeights().get(ctx.weights(), ctx.cacheDir());
                if (w.weights() != null) {
                    out.println("  ImageNet weights from " + w.source() + ": " + PretrainedWeights.load(model, w.weights()));
                    usedPretrained = true;
                } else {
                    notes = "trained from random initialisation: ImageNet weights unavailable ("
                            + w.reason().replaceFirst("^ImageNet ResNet-18 weights unavailable \\([^)]*\\): ", "") + ")";
                    out.println("  NOTE: trained from random initialisation: " + w.reason());
                }
            }
        }
        if (m.freezeBackbone()) {
            StudyModels.freezeBackbone(model, m);
        }
        MultiSampleHeads.install(model, m, ClinicalSettings.multiSampleDropout(e));
        Path weights = SavedModel.weightsPath(ctx.outDir(), e.id());
        Path checkpoint = EpochCheckpoint.path(ctx.outDir(), e.id());
        Device device = ctx.device();
        StudyTrainer.Trained t = new StudyTrainer(e, ctx.seed(), device, ctx.workers(), out).train(data, train, model, weights,
                checkpoint);
        boolean hasHealth = false;
        if (!t.health().rows().isEmpty()) {
            reportHealth(t.health().report(e.id(), e.name(), InputStatistics.ofEvaluationInputs(data.val())), ctx);
            hasHealth = true;
        }
        if (e.select().equals("last")) {
            SavedModel.saveWeights(weights, model);
        }
        float[][] norm = data.evaluationNormalization(e.input().normalize());
        double[][] valProbs = Evaluation.probabilities(model, data.val(), device, norm[0], norm[1]);
        double[][] testProbs = Evaluation.probabilities(model, data.test(), device, norm[0], norm[1]);
        StudyScores val = StudyScores.of(valProbs, data.val().labels(), data.numClasses());
        StudyScores test = StudyScores.of(testProbs, data.test().labels(), data.numClasses());
        ClinicalResult clinical = ClinicalEvaluation.evaluate(e, model, data, device, norm, valProbs, testProbs, ctx.seed(),
                ctx.outDir());
        Files.deleteIfExists(checkpoint);
        if (limited) {
            notes = (notes == null ? "" : notes + "; ") + "trained on the first " + train.n() + " training images only";
        }
        Map<String, String> settings = new LinkedHashMap<>();
        e.settings().values().forEach((k, v) -> settings.put(k, Settings.format(v)));
        StudyResult r = new StudyResult(e.id(), e.name(), e.buildsOn(), e.note(), settings, t.params(), t.trainSeconds(),
                t.history(), t.bestEpoch(), t.stoppedEarly(), val, test, ctx.outDir().relativize(weights).toString(), notes,
                null);
        Map<String, Object> sidecar = new LinkedHashMap<>();
        sidecar.put("study", study.name());
        sidecar.put("experiment", e.id());
        sidecar.put("seed", ctx.seed());
        sidecar.put("data", Map.of("file", data.file().toString(), "flag", String.valueOf(data.flag()), "channels", train.c(),
                "size", train.h(), "classes", data.numClasses(), "class_names", data.classNames()));
        sidecar.put("study_yaml", StudyYaml.single(e, study.dataset()));
        sidecar.put("result", r);
        SavedModel.writeSidecar(weights, sidecar);
        RunResult row = null;
        if (data.isDermaMnist()) {
            SplitMetrics v = Evaluation.metrics(valProbs, data.val().labels(), data.numClasses(), null);
            SplitMetrics te = Evaluation.metrics(testProbs, data.test().labels(), data.numClasses(), ctx.seed());
            row = new RunResult(e.id(), e.name(), e.chapter(), device.toString(), ctx.seed(), t.history().size(), t.params(),
                    t.trainSeconds(), t.epochSeconds(), usedPretrained, notes, v, te);
        }
        return new UnitOutcome(e.id(), -1, r, row, null, clinical, null, hasHealth);
    }

    /**
     * Prints the inputs' statistics (with a warning when training and validation inputs were preprocessed
     * differently) and the step's peak saved memory, and writes {@code health/<id>.csv} and {@code .json}.
     */
    private static void reportHealth(ExperimentHealth h, Context ctx) throws IOException {
        PrintStream out = ctx.log();
        if (h.trainInputs() != null && h.valInputs() != null) {
            out.printf("  inputs: train %s%n          val   %s%n", h.trainInputs().format(), h.valInputs().format());
            if (h.trainInputs().mismatches(h.valInputs())) {
                out.printf("  WARNING: training and validation inputs differ (channel mean shifted by up to %.1f "
                        + "validation stds, std ratio up to %.1fx): they were preprocessed differently%n",
                        h.trainInputs().meanShiftInStds(h.valInputs()), h.trainInputs().stdRatio(h.valInputs()));
            }
        }
        if (h.saved() != null) {
            out.printf("  saved for backward in one step (batch %d): peak %s%n", h.saved().batch(),
                    org.gradlab.engine.inspect.Bytes.human(h.saved().peakBytes()));
        }
        HealthStore.save(ctx.outDir(), h);
        out.printf("  training health: %s%n", HealthStore.csvPath(ctx.outDir(), h.id()));
    }

    private static long idNumber(String id) {
        return id.matches("\\d{1,9}") ? Integer.parseInt(id) : id.hashCode();
    }
}
