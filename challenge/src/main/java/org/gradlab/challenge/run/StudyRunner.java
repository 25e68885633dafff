package org.gradlab.challenge.run;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.challenge.data.MedMnistCatalog;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.report.ChallengeReport;
import org.gradlab.challenge.report.ExperimentHealth;
import org.gradlab.challenge.report.FailedRun;
import org.gradlab.challenge.report.HealthSection;
import org.gradlab.challenge.report.HealthStore;
import org.gradlab.challenge.report.RunResult;
import org.gradlab.challenge.report.SplitMetrics;
import org.gradlab.challenge.report.StudyReport;
import org.gradlab.challenge.study.Settings;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.challenge.study.StudyFileException;
import org.gradlab.challenge.study.StudyYaml;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.backend.DeviceDetection;
import org.gradlab.nn.Module;

/**
 * Runs the selected experiments of a study one after another. Before any training every experiment is checked
 * against the data (model buildable, class weights and normalisation matching). After every experiment
 * {@code study-results.json} and {@code study.html} are rewritten and the selected model is saved as
 * {@code models/<id>.safetensors} with its JSON sidecar; a DermaMNIST study also writes today's challenge outputs
 * (results.json, results.csv, report.html with the clinical columns and training-health sections).
 * {@code --resume} skips experiments already in study-results.json.
 *
 * <p>An experiment whose training diverges (a NaN or infinite loss or gradient, see {@link DivergenceLocator}) is
 * recorded as failed — in study-results.json, study.html and, for DermaMNIST, results.json/report.html — with the
 * epoch, batch, op and layer; the study goes on with the next experiment and {@link #run} returns
 * {@link #EXPERIMENTS_FAILED}. {@code --resume} does not retrain a failed experiment (the same seed and settings diverge
 * the same way); {@code --only ID} without {@code --resume} retrains it and keeps the other rows.
 */
public final class StudyRunner {
    /** Exit status of a run in which at least one selected experiment failed (diverged); the others ran. */
    public static final int EXPERIMENTS_FAILED = 3;
    private final StudyOptions opts;
    private final PrintStream out;

    public StudyRunner(StudyOptions opts, PrintStream out) {
        this.opts = opts;
        this.out = out;
    }

    public int run() throws IOException, InterruptedException {
        long wall0 = System.nanoTime();
        Study study = opts.study();
        Path dataFile = StudyDataFiles.resolve(study.dataset(), opts.data(), cacheDir(), out);
        StudyData raw = StudyData.load(dataFile, opts.data() != null && study.dataset().file() == null
                ? flagOf(dataFile, study) : study.dataset().name());
        check(study, raw);
        Device device = DeviceDetection.resolve(opts.device(), out);
        out.printf("study %s: %s%ndata: %s (train %d, val %d, test %d, %d classes: %s)%n", study.name(), study.title(), dataFile,
                raw.train().n(), raw.val().n(), raw.test().n(), raw.numClasses(), String.join(", ", raw.classNames()));
        Files.createDirectories(opts.out());
        Path resultsFile = opts.out().resolve("study-results.json");
        List<StudyResult> results = new ArrayList<>(loadResults(resultsFile));
        ChallengeReport challenge = raw.isDermaMnist() ? new ChallengeReport(opts.out(), challengePublished(study)) : null;
        List<String> done = opts.resume() ? results.stream().map(StudyResult::id).toList() : List.of();
        results.removeIf(r -> opts.experiments().stream().anyMatch(e -> e.id().equals(r.id()) && !done.contains(e.id())));
        // NOTE: a resumed study's wall time adds the training time of the runs earlier invocations finished
        // (their evaluation time is not stored, so the sum is a slight underestimate)
        double earlier = results.stream().filter(r -> done.contains(r.id())).mapToDouble(StudyResult::trainSeconds)
                .filter(Double::isFinite).sum();
        if (challenge != null) {
            List<String> training = opts.experiments().stream().map(StudyExperiment::id).filter(id -> !done.contains(id)).toList();
            for (RunResult r : challenge.store().load().runs()) {
                if (!training.contains(r.id())) {
                    restoreHealthSection(r, challenge);
                }
            }
        }
        PretrainedWeights pretrained = new PretrainedWeights();
        if (opts.weights() != null) {
            // a weights file the user named must load: never train from random initialisation instead
            PretrainedWeights.Outcome w = pretrained.get(opts.weights(), cacheDir());
            if (w.weights() == null) {
                throw new IOException("--weights " + opts.weights() + ": cannot be loaded: " + w.reason());
            }
        }
        StudyProgress progress = new StudyProgress(opts.experiments().stream().filter(e -> !done.contains(e.id())).toList(),
                challenge != null ? challengePublished(study) : null);
        for (StudyExperiment planned : opts.experiments()) {
            if (done.contains(planned.id())) {
                StudyResult earlierRun = results.stream().filter(r -> r.id().equals(planned.id())).findFirst().orElseThrow();
                if (earlierRun.isFailed()) {
                    out.printf("exp %s %s: FAILED in an earlier run (%s), not retrained by --resume; to retrain it run "
                            + "--only %s without --resume%n", planned.id(), planned.name(), earlierRun.failure().reason(), planned.id());
                } else {
                    out.printf("exp %s %s: already in %s, skipped (--resume)%n", planned.id(), planned.name(), resultsFile);
                }
                continue;
            }
            StudyExperiment e = opts.epochs() != null ? planned.with("epochs", opts.epochs()) : planned;
            StudyData data = raw.limitTrain(opts.limitTrain()).prepared(e.input().channels(), e.input().resize());
            boolean limited = opts.limitTrain() != null && opts.limitTrain() < raw.train().n();
            Outcome o;
            try {
                o = runOne(study, e, data, device, pretrained, limited);
            } catch (ExperimentDiverged d) {
                o = failed(e, d, device);
            }
            results.add(o.result());
            SavedModel.JSON.writeValue(resultsFile.toFile(), results);
            if (challenge != null) {
                if (o.challengeFailure() != null) {
                    challenge.recordFailure(o.challengeFailure());
                } else {
                    challenge.record(o.challengeRow());
                }
                o.health().ifPresent(h -> challenge.addSection(HealthSection.of(h, opts.out())));
                challenge.setWallSeconds(earlier + (System.nanoTime() - wall0) / 1e9);
                challenge.render();
            }
            StudyReport.write(opts.out(), study, results, raw.classNames(), raw.isDermaMnist());
            if (o.result().isFailed()) {
                out.printf("exp %s %s: FAILED, %s; the study goes on%n", e.id(), e.name(), o.result().failure().reason());
            } else {
                out.printf("exp %s %s: val AUC %.3f, test AUC %.3f, epoch %d of %d selected (%.1f s)%n", e.id(), e.name(),
                        o.result().val().auc(), o.result().test().auc(), o.result().selectedEpoch(),
                        o.result().history().size(), o.result().trainSeconds());
            }
            out.println(progress.finished(e.id()));
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        if (challenge != null) {
            challenge.setWallSeconds(earlier + wall);
            challenge.render();
            out.println();
            out.println(challenge.consoleTable());
        }
        Path html = StudyReport.write(opts.out(), study, results, raw.classNames(), raw.isDermaMnist());
        if (challenge == null) {
            out.println();
            out.print(StudyReport.consoleTable(results));
        }
        if (earlier > 0) {
            out.printf("total wall time %.1f s (this invocation %.1f s + %.1f s of training resumed from earlier ones); "
                    + "study report: %s%n", earlier + wall, wall, earlier, html);
        } else {
            out.printf("total wall time %.1f s; study report: %s%n", wall, html);
        }
        List<String> selected = opts.experiments().stream().map(StudyExperiment::id).toList();
        List<StudyResult> failures = results.stream().filter(r -> r.isFailed() && selected.contains(r.id())).toList();
        if (!failures.isEmpty()) {
            out.printf("%d of %d experiments FAILED (exit status %d):%n", failures.size(), selected.size(), EXPERIMENTS_FAILED);
            failures.forEach(r -> out.printf("  exp %s %s: %s%n", r.id(), r.name(), r.failure().reason()));
            return EXPERIMENTS_FAILED;
        }
        return 0;
    }

    /** What one experiment produced: a finished run's rows, or a failed run's (challengeRow then null). */
    private record Outcome(StudyResult result, RunResult challengeRow, java.util.Optional<ExperimentHealth> health,
                           FailedRun challengeFailure) {
        Outcome(StudyResult result, RunResult challengeRow, java.util.Optional<ExperimentHealth> health) {
            this(result, challengeRow, health, null);
        }
    }

    /**
     * The failed row of an experiment whose training diverged: its settings, the epochs it finished and where it
     * diverged. Its checkpoint and any weights it saved are removed: a failed experiment leaves no model behind.
     */
    private Outcome failed(StudyExperiment e, ExperimentDiverged d, Device device) throws IOException {
        Path weights = SavedModel.weightsPath(opts.out(), e.id());
        Files.deleteIfExists(EpochCheckpoint.path(opts.out(), e.id()));
        Files.deleteIfExists(weights);
        Files.deleteIfExists(SavedModel.sidecarPath(weights));
        Map<String, String> settings = new LinkedHashMap<>();
        e.settings().values().forEach((k, v) -> settings.put(k, Settings.format(v)));
        Divergence why = d.divergence();
        StudyResult r = StudyResult.failed(e.id(), e.name(), e.buildsOn(), e.note(), settings, d.params(), d.trainSeconds(),
                d.history(), null, why);
        FailedRun row = new FailedRun(e.id(), e.name(), e.chapter(), device.toString(), opts.seed(), why.reason(), why.epoch(),
                why.batch(), why.op(), why.layer());
        return new Outcome(r, null, java.util.Optional.empty(), row);
    }

    private Outcome runOne(Study study, StudyExperiment e, StudyData data, Device device, PretrainedWeights pretrained,
                           boolean limited) throws IOException {
        out.printf("%nexp %s %s — %s%n", e.id(), e.name(), e.recipe());
        if (org.gradlab.challenge.study.ClinicalSettings.cv(e).active()) {
            return crossValidated(study, e, data, device);
        }
        Split train = data.train();
        Generator init = new Generator(opts.seed() * 1_000_003L + idNumber(e.id()));
        StudyExperiment.Model m = e.model();
        Module model = StudyModels.build(m, train.c(), train.h(), data.numClasses(), init);
        Boolean usedPretrained = null;
        String notes = null;
        if (m.pretrained()) {
            usedPretrained = false;
            if (!m.name().equals("resnet18")) {
                notes = "trained from random initialisation: no ImageNet weights for " + m.name();
            } else {
                PretrainedWeights.Outcome w = pretrained.get(opts.weights(), cacheDir());
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
        MultiSampleHeads.install(model, m, org.gradlab.challenge.study.ClinicalSettings.multiSampleDropout(e));
        Path weights = SavedModel.weightsPath(opts.out(), e.id());
        Path checkpoint = EpochCheckpoint.path(opts.out(), e.id());
        StudyTrainer.Trained t = new StudyTrainer(e, opts.seed(), device, opts.workers(), out).train(data, train, model, weights,
                checkpoint);
        java.util.Optional<ExperimentHealth> health = java.util.Optional.empty();
        if (!t.health().rows().isEmpty()) {
            ExperimentHealth h = t.health().report(e.id(), e.name(), InputStatistics.ofEvaluationInputs(data.val()));
            reportHealth(h);
            health = java.util.Optional.of(h);
        }
        if (e.select().equals("last")) {
            SavedModel.saveWeights(weights, model);
        }
        float[][] norm = data.evaluationNormalization(e.input().normalize());
        double[][] valProbs = Evaluation.probabilities(model, data.val(), device, norm[0], norm[1]);
        double[][] testProbs = Evaluation.probabilities(model, data.test(), device, norm[0], norm[1]);
        StudyScores val = StudyScores.of(valProbs, data.val().labels(), data.numClasses());
        StudyScores test = StudyScores.of(testProbs, data.test().labels(), data.numClasses());
        ClinicalResult clinical = ClinicalEvaluation.evaluate(e, model, data, device, norm, valProbs, testProbs, opts.seed(),
                opts.out());
        StudyEnsembles.record(opts.out(), clinical, study, data, opts.seed(), out);
        ClinicalChecks.print(clinical, out);
        Files.deleteIfExists(checkpoint);
        if (limited) {
            notes = (notes == null ? "" : notes + "; ") + "trained on the first " + train.n() + " training images only";
        }
        Map<String, String> settings = new LinkedHashMap<>();
        e.settings().values().forEach((k, v) -> settings.put(k, Settings.format(v)));
        StudyResult r = new StudyResult(e.id(), e.name(), e.buildsOn(), e.note(), settings, t.params(), t.trainSeconds(),
                t.history(), t.bestEpoch(), t.stoppedEarly(), val, test, opts.out().relativize(weights).toString(), notes,
                null);
        Map<String, Object> sidecar = new LinkedHashMap<>();
        sidecar.put("study", study.name());
        sidecar.put("experiment", e.id());
        sidecar.put("seed", opts.seed());
        sidecar.put("data", Map.of("file", data.file().toString(), "flag", String.valueOf(data.flag()), "channels", train.c(),
                "size", train.h(), "classes", data.numClasses(), "class_names", data.classNames()));
        sidecar.put("study_yaml", StudyYaml.single(e, study.dataset()));
        sidecar.put("result", r);
        SavedModel.writeSidecar(weights, sidecar);
        RunResult row = null;
        if (data.isDermaMnist()) {
            SplitMetrics v = Evaluation.metrics(valProbs, data.val().labels(), data.numClasses(), null);
            SplitMetrics te = Evaluation.metrics(testProbs, data.test().labels(), data.numClasses(), opts.seed());
            row = new RunResult(e.id(), e.name(), e.chapter(), device.toString(), opts.seed(), t.history().size(), t.params(),
                    t.trainSeconds(), t.epochSeconds(), usedPretrained, notes, v, te);
        }
        return new Outcome(r, row, health);
    }

    /** {@code cv}: k fold models, out-of-fold validation scores, the test split by their mean (see CrossValidatedExperiment). */
    private Outcome crossValidated(Study study, StudyExperiment e, StudyData data, Device device) throws IOException {
        CrossValidatedExperiment.Outcome o = CrossValidatedExperiment.run(e, data, device, opts.seed(), opts.workers(), opts.out(), out);
        StudyEnsembles.record(opts.out(), o.clinical(), study, data, opts.seed(), out);
        ClinicalChecks.print(o.clinical(), out);
        RunResult row = null;
        if (data.isDermaMnist()) {
            SplitMetrics v = Evaluation.metrics(o.oof(), o.oofLabels(), data.numClasses(), null);
            SplitMetrics te = Evaluation.metrics(o.test(), data.test().labels(), data.numClasses(), opts.seed());
            double[] secs = o.result().history().stream().mapToDouble(EpochRecord::seconds).toArray();
            row = new RunResult(e.id(), e.name(), e.chapter(), device.toString(), opts.seed(), o.result().history().size(),
                    o.result().params(), o.result().trainSeconds(), secs, null, o.result().notes(), v, te);
        }
        return new Outcome(o.result(), row, java.util.Optional.empty());
    }

    /**
     * Prints the inputs' statistics (with a warning when training and validation inputs were preprocessed
     * differently) and the step's peak saved memory, and writes {@code health/<id>.csv} and {@code .json}.
     */
    private void reportHealth(ExperimentHealth h) throws IOException {
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
        HealthStore.save(opts.out(), h);
        out.printf("  training health: %s%n", HealthStore.csvPath(opts.out(), h.id()));
    }

    /**
     * Puts the health section of a finished experiment that this run does not train back into the report, from its
     * files in {@code health/}. A run from before those files has none; a damaged file costs only the section.
     */
    private void restoreHealthSection(RunResult r, ChallengeReport report) {
        try {
            java.util.Optional<ExperimentHealth> h = HealthStore.load(opts.out(), r.id(), r.name());
            if (h.isEmpty()) {
                return;
            }
            if (!Files.exists(HealthStore.jsonPath(opts.out(), r.id()))) {
                out.printf("exp %s %s: health section from %s only (no input statistics, no ledger)%n", r.id(), r.name(),
                        HealthStore.csvPath(opts.out(), r.id()));
            }
            report.addSection(HealthSection.of(h.get(), opts.out()));
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            out.printf("exp %s %s: health section left out of the report: %s%n", r.id(), r.name(), e.getMessage());
        }
    }

    /** Every experiment checked against the data before any trains: one {@link StudyFileException} per problem. */
    static void check(Study study, StudyData data) {
        for (StudyExperiment e : study.experiments()) {
            int c = e.input().channels() != null ? e.input().channels() : data.train().c();
            int side = e.input().resize() != null ? e.input().resize() : data.train().h();
            String p = StudyModels.problem(e.model(), c, side);
            if (p == null) {
                p = StudyRecipes.augmentProblem(e.augmentSteps(), side);
            }
            if (p == null) {
                p = ClinicalChecks.problem(study, e, data);
            }
            try {
                if (p == null) {
                    e.input().normalize().mean(c);
                    int[] ones = new int[data.numClasses()];
                    java.util.Arrays.fill(ones, 1);
                    StudyRecipes.classWeights(e.loss().classWeights(), ones);
                }
            } catch (IllegalArgumentException ex) {
                p = ex.getMessage();
            }
            if (p != null) {
                throw new StudyFileException(study.source(), e.id(), p);
            }
        }
    }

    /**
     * The published figures the DermaMNIST report (report.html, the console table) compares with: the study's
     * {@code published:} file when it is in the challenge's format (an {@code id,auc} table is compared in study.html
     * only), the 25 experiments' published figures for the {@code dermamnist-25} study itself, else none — a study of
     * other experiments has nothing published to be within ±0.03 of.
     */
    static org.gradlab.challenge.report.PublishedResults challengePublished(Study study) {
        if (study.published() != null) {
            try {
                return org.gradlab.challenge.report.PublishedResults.load(study.published());
            } catch (IllegalStateException notTheChallengeFormat) {
                return org.gradlab.challenge.report.PublishedResults.none();
            }
        }
        return study.name().equals("dermamnist-25") ? published() : org.gradlab.challenge.report.PublishedResults.none();
    }

    /** The published figures the DermaMNIST report compares with (the bundled ones when the shared copy is unreadable). */
    private static org.gradlab.challenge.report.PublishedResults published() {
        try {
            return org.gradlab.challenge.report.PublishedResults.loadDefault();
        } catch (RuntimeException e) {
            return org.gradlab.challenge.report.PublishedResults.bundled();
        }
    }

    private static long idNumber(String id) {
        return id.matches("\\d{1,9}") ? Integer.parseInt(id) : id.hashCode();
    }

    static String flagOf(Path file, Study study) {
        String f = file.getFileName().toString().replaceFirst("(_\\d+)?(_jpeg)?\\.npz$", "");
        return MedMnistCatalog.has(f) ? f : study.dataset().name();
    }

    private Path cacheDir() {
        return opts.cache() != null ? opts.cache() : Path.of(System.getProperty("user.home"), ".cache", "gradlab");
    }

    private static List<StudyResult> loadResults(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return SavedModel.JSON.readValue(file.toFile(), new TypeReference<List<StudyResult>>() {});
    }
}
