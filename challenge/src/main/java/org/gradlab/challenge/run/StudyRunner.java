package org.gradlab.challenge.run;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.data.MedMnistCatalog;
import org.gradlab.challenge.report.ChallengeReport;
import org.gradlab.challenge.report.ExperimentHealth;
import org.gradlab.challenge.report.HealthSection;
import org.gradlab.challenge.report.HealthStore;
import org.gradlab.challenge.report.RunResult;
import org.gradlab.challenge.report.StudyReport;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.challenge.study.StudyFileException;
import org.gradlab.engine.Device;
import org.gradlab.engine.backend.DeviceDetection;

/**
 * Runs the selected experiments of a study: one after another in this process, or — with a {@link UnitRunner.Factory},
 * e.g. the optional Spark module's — as units (an experiment, or one fold of a {@code cv} experiment, see
 * {@link ExperimentUnit}) trained elsewhere and recorded here as they finish ({@link StudyRecorder}). Before any training every experiment is checked
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
    private final UnitRunner.Factory cluster;

    public StudyRunner(StudyOptions opts, PrintStream out) {
        this(opts, out, null);
    }

    /** A run whose units train where {@code cluster} opens its runner (null: in this process, one after another). */
    public StudyRunner(StudyOptions opts, PrintStream out, UnitRunner.Factory cluster) {
        this.opts = opts;
        this.out = out;
        this.cluster = cluster;
    }

    public int run() throws IOException, InterruptedException {
        long wall0 = System.nanoTime();
        Study study = opts.study();
        Path dataFile = StudyDataFiles.resolve(study.dataset(), opts.data(), cacheDir(), out);
        String flag = opts.data() != null && study.dataset().file() == null ? flagOf(dataFile, study) : study.dataset().name();
        StudyData raw = ExperimentUnit.raw(dataFile, flag);
        check(study, raw);
        // NOTE: on a cluster each executor resolves --device itself (its GPU is the one Spark gave the task)
        Device device = cluster == null ? DeviceDetection.resolve(opts.device(), out) : null;
        out.printf("study %s: %s%ndata: %s (train %d, val %d, test %d, %d classes: %s)%n", study.name(), study.title(), dataFile,
                raw.train().n(), raw.val().n(), raw.test().n(), raw.numClasses(), StudyData.numbered(raw.classNames()));
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
        StudyRecorder recorder = new StudyRecorder(opts, study, raw.limitTrain(opts.limitTrain()), resultsFile, results, challenge,
                progress, earlier, wall0, cluster != null,
                device != null ? device.toString() : opts.device(), out);
        List<StudyUnit> units = new ArrayList<>();
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
            units.addAll(recorder.plan(e));
        }
        recorder.combineFinishedFolds();
        try (UnitRunner runner = cluster != null ? cluster.open(dataFile, flag, opts) : new LocalUnits(study, raw, device)) {
            runner.run(units, recorder::accept);
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

    static String flagOf(Path file, Study study) {
        String f = file.getFileName().toString().replaceFirst("(_\\d+)?(_jpeg)?\\.npz$", "");
        return MedMnistCatalog.has(f) ? f : study.dataset().name();
    }

    /** Trains the units in this process one after another: after a fold diverges, its experiment's other folds are skipped. */
    private final class LocalUnits implements UnitRunner {
        private final Study study;
        private final StudyData raw;
        private final Device device;

        LocalUnits(Study study, StudyData raw, Device device) {
            this.study = study;
            this.raw = raw;
            this.device = device;
        }

        @Override
        public void run(List<StudyUnit> units, Sink sink) throws IOException {
            List<String> failed = new ArrayList<>();
            String preparedFor = null;
            StudyData data = null;
            for (StudyUnit u : units) {
                StudyExperiment e = u.experiment();
                if (failed.contains(e.id())) {
                    continue;
                }
                if (!e.id().equals(preparedFor)) {   // a cv experiment's folds share its prepared data
                    data = raw.limitTrain(opts.limitTrain()).prepared(e.input().channels(), e.input().resize());
                    preparedFor = e.id();
                }
                boolean limited = opts.limitTrain() != null && opts.limitTrain() < raw.train().n();
                UnitOutcome o = ExperimentUnit.run(study, e, u.fold(), data, limited, new ExperimentUnit.Context(opts.seed(),
                        device, opts.weights(), cacheDir(), opts.workers(), opts.out(), out));
                if (o.isFailed()) {
                    failed.add(e.id());
                }
                sink.accept(u, o);
            }
        }
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
