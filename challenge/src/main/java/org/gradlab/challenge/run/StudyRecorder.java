package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.gradlab.challenge.report.ChallengeReport;
import org.gradlab.challenge.report.HealthSection;
import org.gradlab.challenge.report.HealthStore;
import org.gradlab.challenge.report.RunResult;
import org.gradlab.challenge.report.SplitMetrics;
import org.gradlab.challenge.report.StudyReport;
import org.gradlab.challenge.study.ClinicalSettings;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;

/**
 * The driver's side of a study run: plans the units (an experiment, or each fold of a {@code cv} experiment) and
 * records each finished one as it arrives — study-results.json, study.html, the ensembles, and for DermaMNIST
 * results.json and report.html — after every experiment, as a run in one process always did. A finished fold is kept
 * as {@code folds/<id>-fold<f>.json}; with {@code --resume} the folds already there are not trained again, and a cv
 * experiment's row is written once all its folds are in. The first fold that diverges makes its experiment a failed row.
 */
final class StudyRecorder {
    private final StudyOptions opts;
    private final Study study;
    private final StudyData data;
    private final Path resultsFile;
    private final List<StudyResult> results;
    private final ChallengeReport challenge;
    private final StudyProgress progress;
    private final double earlier;
    private final long wall0;
    private final boolean inStudyOrder;
    private final String device;
    private final PrintStream out;
    private final Map<String, Folds> folds = new LinkedHashMap<>();

    /** A cv experiment's folds so far. */
    private static final class Folds {
        final StudyExperiment experiment;
        final FoldResult[] done;
        boolean failed;

        Folds(StudyExperiment experiment, int k) {
            this.experiment = experiment;
            this.done = new FoldResult[k];
        }

        boolean complete() {
            return Arrays.stream(done).allMatch(Objects::nonNull);
        }
    }

    /**
     * @param data         the training data as limited by {@code --limit-train} (its labels join a cv experiment's folds)
     * @param inStudyOrder keep study-results.json in the study's order (units of a cluster finish in any order)
     * @param device       where the units train, as the challenge's rows name it
     */
    StudyRecorder(StudyOptions opts, Study study, StudyData data, Path resultsFile, List<StudyResult> results,
                  ChallengeReport challenge, StudyProgress progress, double earlier, long wall0, boolean inStudyOrder,
                  String device, PrintStream out) {
        this.opts = opts;
        this.study = study;
        this.data = data;
        this.resultsFile = resultsFile;
        this.results = results;
        this.challenge = challenge;
        this.progress = progress;
        this.earlier = earlier;
        this.wall0 = wall0;
        this.inStudyOrder = inStudyOrder;
        this.device = device;
        this.out = out;
    }

    static Path foldFile(Path outDir, String id, int fold) {
        return outDir.resolve("folds").resolve(id + "-fold" + fold + ".json");
    }

    /** The units {@code e} needs: itself, or its folds (with {@code --resume}, those not finished by an earlier run). */
    List<StudyUnit> plan(StudyExperiment e) throws IOException {
        ClinicalSettings.Cv cv = ClinicalSettings.cv(e);
        if (!cv.active()) {
            return List.of(new StudyUnit(e, -1));
        }
        Folds f = new Folds(e, cv.folds());
        folds.put(e.id(), f);
        String fingerprint = CrossValidatedExperiment.fingerprint(e, data, opts.seed());
        List<StudyUnit> units = new ArrayList<>();
        for (int i = 0; i < cv.folds(); i++) {
            Path file = foldFile(opts.out(), e.id(), i);
            if (opts.resume() && Files.isRegularFile(file)) {
                FoldResult r = SavedModel.JSON.readValue(file.toFile(), FoldResult.class);
                if (r.fingerprint().equals(fingerprint) && Files.isRegularFile(SavedModel.weightsPath(opts.out(), e.id() + "-fold" + i))) {
                    out.printf("exp %s fold %d/%d: already in %s, skipped (--resume)%n", e.id(), i + 1, cv.folds(), file);
                    f.done[i] = r;
                    continue;
                }
            }
            units.add(new StudyUnit(e, i));
        }
        return units;
    }

    /** Writes the rows of cv experiments whose folds all finished in earlier runs. */
    void combineFinishedFolds() throws IOException {
        for (Folds f : folds.values()) {
            if (f.complete()) {
                combine(f);
            }
        }
    }

    /** One finished unit. */
    void accept(StudyUnit u, UnitOutcome o) throws IOException {
        StudyExperiment e = u.experiment();
        if (u.fold() < 0) {
            record(e, o);
            return;
        }
        Folds f = folds.get(e.id());
        if (f.failed) {
            return;
        }
        if (o.isFailed()) {
            f.failed = true;
            record(e, o);
            return;
        }
        FoldResult r = o.foldResult();
        Path file = foldFile(opts.out(), e.id(), r.fold());
        Files.createDirectories(file.getParent());
        SavedModel.JSON.writeValue(file.toFile(), r);
        f.done[r.fold()] = r;
        out.printf("exp %s fold %d/%d finished: best epoch %d, %.1f s%n", e.id(), r.fold() + 1, f.done.length, r.bestEpoch(),
                r.trainSeconds());
        if (f.complete()) {
            combine(f);
        }
    }

    private void combine(Folds f) throws IOException {
        StudyExperiment e = f.experiment;
        CrossValidatedExperiment.Outcome o = CrossValidatedExperiment.combine(e, data, List.of(f.done), opts.seed(), opts.out(), out);
        RunResult row = null;
        if (data.isDermaMnist()) {
            SplitMetrics v = Evaluation.metrics(o.oof(), o.oofLabels(), data.numClasses(), null);
            SplitMetrics te = Evaluation.metrics(o.test(), data.test().labels(), data.numClasses(), opts.seed());
            double[] secs = o.result().history().stream().mapToDouble(EpochRecord::seconds).toArray();
            row = new RunResult(e.id(), e.name(), e.chapter(), device, opts.seed(), o.result().history().size(),
                    o.result().params(), o.result().trainSeconds(), secs, null, o.result().notes(), v, te);
        }
        record(e, new UnitOutcome(e.id(), -1, o.result(), row, null, o.clinical(), null, false));
    }

    private void record(StudyExperiment e, UnitOutcome o) throws IOException {
        if (o.isFailed()) {   // a failed experiment leaves no model behind, not even one of an earlier run
            Path weights = SavedModel.weightsPath(opts.out(), e.id());
            Files.deleteIfExists(weights);
            Files.deleteIfExists(SavedModel.sidecarPath(weights));
        }
        if (o.clinical() != null) {
            StudyEnsembles.record(opts.out(), o.clinical(), study, data, opts.seed(), out);
            ClinicalChecks.print(o.clinical(), out);
        }
        results.add(o.result());
        if (inStudyOrder) {
            List<String> ids = study.ids();
            results.sort(Comparator.comparingInt(r -> ids.indexOf(r.id()) < 0 ? Integer.MAX_VALUE : ids.indexOf(r.id())));
        }
        SavedModel.JSON.writeValue(resultsFile.toFile(), results);
        if (challenge != null) {
            if (o.challengeFailure() != null) {
                challenge.recordFailure(o.challengeFailure());
            } else {
                challenge.record(o.challengeRow());
            }
            if (o.hasHealth()) {
                HealthStore.load(opts.out(), e.id(), e.name()).ifPresent(h -> challenge.addSection(HealthSection.of(h, opts.out())));
            }
            challenge.setWallSeconds(earlier + (System.nanoTime() - wall0) / 1e9);
            challenge.render();
        }
        StudyReport.write(opts.out(), study, results, data.classNames(), data.isDermaMnist());
        StudyResult r = o.result();
        if (r.isFailed()) {
            out.printf("exp %s %s: FAILED, %s; the study goes on%n", e.id(), e.name(), r.failure().reason());
        } else {
            out.printf("exp %s %s: val AUC %.3f, test AUC %.3f, epoch %d of %d selected (%.1f s)%n", e.id(), e.name(),
                    r.val().auc(), r.test().auc(), r.selectedEpoch(), r.history().size(), r.trainSeconds());
        }
        out.println(progress.finished(e.id()));
    }
}
