package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gradlab.challenge.data.DatasetDownloader;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.experiments.Experiment;
import org.gradlab.challenge.report.ChallengeReport;
import org.gradlab.challenge.report.ExperimentHealth;
import org.gradlab.challenge.report.HealthSection;
import org.gradlab.challenge.report.HealthStore;
import org.gradlab.challenge.report.PublishedResults;
import org.gradlab.challenge.report.RunResult;
import org.gradlab.challenge.report.SplitMetrics;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.backend.DeviceDetection;
import org.gradlab.engine.inspect.Bytes;
import org.gradlab.nn.Module;

/**
 * Runs the selected experiments one after another. After every experiment the results
 * (results.json, results.csv), its training health ({@code health/<id>.csv} and {@code .json}) and the report are
 * rewritten, so an interrupted run loses nothing finished; after every epoch a checkpoint lets {@code --resume}
 * continue an unfinished one. The report of a later run in the same folder keeps the health sections of the
 * finished experiments it does not train again (those {@code --resume} skips, or ones outside {@code --exp}).
 */
public final class ChallengeRunner {
    private final ChallengeOptions opts;
    private final PrintStream out;

    public ChallengeRunner(ChallengeOptions opts) {
        this(opts, System.out);
    }

    public ChallengeRunner(ChallengeOptions opts, PrintStream out) {
        this.opts = opts;
        this.out = out;
    }

    public int run() throws IOException, InterruptedException {
        long wall0 = System.nanoTime();
        Device device = DeviceDetection.resolve(opts.device(), out);
        Path dataFile = resolveData();
        MedMnist data = MedMnist.load(dataFile);
        Split train = limit(data.train(), opts.limitTrain());
        out.printf("data: %s (train %d%s, val %d, test %d, %d classes)%n", dataFile, train.n(),
                train.n() < data.train().n() ? " of " + data.train().n() : "", data.val().n(), data.test().n(), data.numClasses());
        Files.createDirectories(opts.out());
        PublishedResults publishedResults = published();
        ChallengeReport report = new ChallengeReport(opts.out(), publishedResults);
        List<RunResult> stored = report.store().load().runs();
        Set<String> done = new HashSet<>();
        if (opts.resume()) {
            stored.forEach(r -> done.add(r.id()));
        }
        // NOTE: a resumed study's wall time adds the training time of the runs earlier invocations
        // finished (their evaluation time is not stored, so the sum is a slight underestimate)
        double earlier = stored.stream().filter(r -> done.contains(r.id())).mapToDouble(RunResult::trainSeconds)
                .filter(Double::isFinite).sum();
        Set<String> toTrain = new HashSet<>();
        opts.experiments().stream().filter(e -> !done.contains(e.id())).forEach(e -> toTrain.add(e.id()));
        for (RunResult r : stored) {
            if (!toTrain.contains(r.id())) {
                restoreHealthSection(r, report);
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
        StudyProgress progress = new StudyProgress(opts.experiments().stream().filter(e -> toTrain.contains(e.id())).toList(),
                publishedResults);
        for (Experiment e : opts.experiments()) {
            if (done.contains(e.id())) {
                out.printf("exp %s %s: already in %s, skipped (--resume)%n", e.id(), e.name(), report.store().jsonPath());
                continue;
            }
            RunResult r = runOne(e, data, train, device, pretrained, report);
            report.record(r);
            report.setWallSeconds(earlier + (System.nanoTime() - wall0) / 1e9);
            report.render();
            out.printf("exp %s %s: val AUC %.3f, melanoma recall %.2f, cancer sensitivity %.2f (%.1f s)%n", e.id(), e.name(),
                    r.val().auc(), r.val().melanomaRecall(), r.val().cancerSensitivity(), r.trainSeconds());
            out.println(progress.finished(e.id()));
        }
        double wall = (System.nanoTime() - wall0) / 1e9;
        report.setWallSeconds(earlier + wall);
        Path html = report.render();
        out.println();
        out.println(report.consoleTable());
        if (earlier > 0) {
            out.printf("total wall time %.1f s (this invocation %.1f s + %.1f s of training resumed from earlier ones); report: %s%n",
                    earlier + wall, wall, earlier, html);
        } else {
            out.printf("total wall time %.1f s; report: %s%n", wall, html);
        }
        return 0;
    }

    private RunResult runOne(Experiment e, MedMnist data, Split train, Device device, PretrainedWeights pretrained,
                             ChallengeReport report) throws IOException {
        int epochs = opts.epochs() != null ? opts.epochs() : e.epochs();
        out.printf("%nexp %s %s — %s%n", e.id(), e.name(), e.recipe());
        Generator init = new Generator(opts.seed() * 1_000_003L + Integer.parseInt(e.id()));
        Module model = Recipes.model(e, init);
        Boolean usedPretrained = null;
        String notes = null;
        if (e.pretrained()) {
            PretrainedWeights.Outcome w = pretrained.get(opts.weights(), cacheDir());
            if (w.weights() != null) {
                out.println("  ImageNet weights from " + w.source() + ": " + PretrainedWeights.load(model, w.weights()));
                usedPretrained = true;
            } else {
                usedPretrained = false;
                // the console gets the full reason (with the URL); the results say why, without it
                notes = "trained from random initialisation: ImageNet weights unavailable ("
                        + w.reason().replaceFirst("^ImageNet ResNet-18 weights unavailable \\([^)]*\\): ", "") + ")";
                out.println("  NOTE: trained from random initialisation: " + w.reason());
            }
            if (e.freezeBackbone()) {
                model.freeze();
                model.submodule("fc").unfreeze();
            }
        }
        ExperimentTrainer trainer = new ExperimentTrainer(e, epochs, opts.seed(), device, opts.workers(), out);
        Path ckpt = EpochCheckpoint.path(opts.out(), e.id());
        ExperimentTrainer.Trained t = trainer.train(data, train, model, ckpt);
        if (!t.health().rows().isEmpty()) {
            ExperimentHealth health = t.health().report(e.id(), e.name(), InputStatistics.ofEvaluationInputs(data.val()));
            reportHealth(health);
            report.addSection(HealthSection.of(health, opts.out()));
        }
        SplitMetrics val = Evaluation.metrics(Evaluation.probabilities(model, data.val(), device), data.val().labels(),
                data.numClasses(), null);
        SplitMetrics test = Evaluation.metrics(Evaluation.probabilities(model, data.test(), device), data.test().labels(),
                data.numClasses(), opts.seed());
        ExperimentTrainer.deleteCheckpoint(ckpt);
        if (train.n() < data.train().n()) {
            notes = (notes == null ? "" : notes + "; ") + "trained on the first " + train.n() + " training images only";
        }
        return new RunResult(e.id(), e.name(), e.chapter(), device.toString(), opts.seed(), epochs, t.params(),
                t.trainSeconds(), t.epochSeconds(), usedPretrained, notes, val, test);
    }

    /**
     * Prints the inputs' statistics (with a warning when training and validation inputs were preprocessed
     * differently) and the step's peak saved memory, and writes {@code health/<id>.csv}.
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
                    Bytes.human(h.saved().peakBytes()));
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
            Optional<ExperimentHealth> h = HealthStore.load(opts.out(), r.id(), r.name());
            if (h.isEmpty()) {
                return;
            }
            if (!Files.exists(HealthStore.jsonPath(opts.out(), r.id()))) {
                out.printf("exp %s %s: health section from %s only (no input statistics, no ledger)%n", r.id(),
                        r.name(), HealthStore.csvPath(opts.out(), r.id()));
            }
            report.addSection(HealthSection.of(h.get(), opts.out()));
        } catch (IllegalStateException | UncheckedIOException e) {
            out.printf("exp %s %s: health section left out of the report: %s%n", r.id(), r.name(), e.getMessage());
        }
    }

    private Path cacheDir() {
        return opts.cache() != null ? opts.cache() : Path.of(System.getProperty("user.home"), ".cache", "gradlab");
    }

    private Path resolveData() throws IOException, InterruptedException {
        if (opts.data() != null) {
            if (!Files.isRegularFile(opts.data())) {
                throw new IOException("--data " + opts.data() + ": no such file");
            }
            return opts.data();
        }
        String name = opts.dataset() != null ? opts.dataset() : "dermamnist";
        DatasetDownloader downloader = new DatasetDownloader(cacheDir().resolve("medmnist"), DatasetDownloader.ZENODO_BASE);
        try {
            return downloader.download(name);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (offline: pass --data FILE, a MedMNIST npz)", e);
        }
    }

    private static PublishedResults published() {
        try {
            return PublishedResults.loadDefault();
        } catch (RuntimeException e) {
            return PublishedResults.bundled();
        }
    }

    public static Split limit(Split s, Integer n) {
        if (n == null || n >= s.n()) {
            return s;
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--limit-train must be positive, got " + n);
        }
        int size = s.h() * s.w() * s.c();
        byte[] img = java.util.Arrays.copyOf(s.images(), n * size);
        int[] lab = java.util.Arrays.copyOf(s.labels(), n);
        return new Split(s.name(), img, lab, n, s.h(), s.w(), s.c());
    }
}
