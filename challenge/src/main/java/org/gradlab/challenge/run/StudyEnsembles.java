package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.challenge.predict.Calibration;
import org.gradlab.challenge.predict.Ensembles;
import org.gradlab.challenge.predict.OperatingPoint;
import org.gradlab.challenge.study.EnsembleSpec;
import org.gradlab.challenge.study.Study;

/**
 * The study's ensembles, from their members' saved final predictions ({@code predictions/<id>.json}), and the file
 * {@code study-clinical.json} that holds every {@link ClinicalResult} (experiments and ensembles).
 * <ul>
 *   <li>{@code mean}: mean probability; the operating point chosen on its validation predictions;</li>
 *   <li>{@code rank}: rank average of each split's members (ranks are relative to the split, as the winners ranked
 *       their test predictions); the threshold is a rank quantile chosen on validation;</li>
 *   <li>{@code or}: flags the class when any member flags it at the member's own validation threshold, so its
 *       operating point is fixed at 1 (see {@link Ensembles#orRule}); every member needs an operating point.</li>
 * </ul>
 * The operating point's class and target recall are those of the first member that has one.
 */
public final class StudyEnsembles {
    private StudyEnsembles() {}

    /** The contents of {@code study-clinical.json}. */
    public record ClinicalFile(@JsonProperty("experiments") List<ClinicalResult> experiments,
                               @JsonProperty("ensembles") List<ClinicalResult> ensembles) {}

    public static Path file(Path outDir) {
        return outDir.resolve("study-clinical.json");
    }

    public static ClinicalFile load(Path outDir) throws IOException {
        Path f = file(outDir);
        if (!Files.isRegularFile(f)) {
            return new ClinicalFile(List.of(), List.of());
        }
        return SavedModel.JSON.readValue(f.toFile(), ClinicalFile.class);
    }

    /** Stores {@code r} (replacing an earlier result of the same id) and recomputes the ensembles. */
    static void record(Path outDir, ClinicalResult r, Study study, StudyData data, long seed, PrintStream log) throws IOException {
        ClinicalFile old = load(outDir);
        Map<String, ClinicalResult> byId = new LinkedHashMap<>();
        old.experiments().forEach(x -> byId.put(x.id(), x));
        if (r != null) {
            byId.put(r.id(), r);
        }
        List<ClinicalResult> ensembles = compute(study, outDir, byId, data, seed, log);
        SavedModel.JSON.writeValue(file(outDir).toFile(), new ClinicalFile(new ArrayList<>(byId.values()), ensembles));
    }

    static List<ClinicalResult> compute(Study study, Path outDir, Map<String, ClinicalResult> experiments, StudyData data,
                                        long seed, PrintStream log) throws IOException {
        List<ClinicalResult> out = new ArrayList<>();
        for (EnsembleSpec spec : study.ensembles()) {
            List<ClinicalEvaluation.Predictions> members = new ArrayList<>();
            OperatingPoint.Result first = null;
            List<Double> thresholds = new ArrayList<>();
            for (String id : spec.members()) {
                ClinicalEvaluation.Predictions p = experiments.containsKey(id) ? ClinicalEvaluation.loadPredictions(outDir, id) : null;
                if (p == null) {
                    break;
                }
                members.add(p);
                OperatingPoint.Result op = experiments.get(id).operatingPoint();
                if (op != null && first == null) {
                    first = op;
                }
                thresholds.add(op == null ? Double.NaN : op.threshold());
            }
            if (members.size() < spec.members().size()) {
                continue;   // not every member has run yet
            }
            List<double[][]> val = members.stream().map(ClinicalEvaluation.Predictions::val).toList();
            List<double[][]> test = members.stream().map(ClinicalEvaluation.Predictions::test).toList();
            int[] vl = data.val().labels();
            int[] tl = data.test().labels();
            String kind = spec.method() + " of " + String.join(", ", spec.members());
            Map<String, Calibration.Scores> cal = new LinkedHashMap<>();
            ClinicalEvaluation.Predictions combined;
            OperatingPoint.Result point = null;
            switch (spec.method()) {
                case "mean" -> {
                    combined = new ClinicalEvaluation.Predictions(Ensembles.mean(val), Ensembles.mean(test));
                    cal.put("val_before", Calibration.Scores.of(combined.val(), vl));
                    cal.put("test_before", Calibration.Scores.of(combined.test(), tl));
                }
                case "rank" -> combined = new ClinicalEvaluation.Predictions(Ensembles.rankAverage(val), Ensembles.rankAverage(test));
                case "or" -> {
                    if (first == null || thresholds.stream().anyMatch(t -> t.isNaN())) {
                        log.printf("ensemble %s: the 'or' rule needs an operating point on every member (operating_point.class); skipped%n",
                                spec.name());
                        continue;
                    }
                    double[] t = thresholds.stream().mapToDouble(Double::doubleValue).toArray();
                    int c = first.classIndex();
                    combined = new ClinicalEvaluation.Predictions(Ensembles.orRule(val, c, t), Ensembles.orRule(test, c, t));
                    point = OperatingPoint.fixed(first.className(), c, first.targetRecall(), 1.0, combined.val(), vl,
                            combined.test(), tl, seed);
                }
                default -> throw new IllegalArgumentException("unknown ensemble method '" + spec.method() + "'");
            }
            if (point == null && first != null) {
                point = OperatingPoint.choose(first.className(), first.classIndex(), first.targetRecall(), combined.val(), vl,
                        combined.test(), tl, seed);
            }
            out.add(ClinicalEvaluation.result(spec.name(), kind, 1, null, null, combined, data, null, cal, point, seed));
        }
        return out;
    }
}
