package org.gradlab.challenge.run;

import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gradlab.challenge.report.PublishedResults;
import org.gradlab.challenge.study.StudyExperiment;

/**
 * Study-level progress: after each experiment, how many are done, the time so far and an estimate
 * of the time left. Experiments differ in cost by two orders of magnitude (exp 25 is most of a full
 * DermaMNIST run), so the estimate weighs each by its published training time where the study has
 * published figures (1 when none is published):
 * left = elapsed * (weight of the remaining) / (weight of the finished).
 */
final class StudyProgress {
    private final Map<String, Double> weights = new LinkedHashMap<>();
    private final long start = System.nanoTime();
    private double doneWeight;
    private int done;

    /** @param published the published figures the weights come from, or null: every experiment weighs 1 */
    StudyProgress(List<StudyExperiment> toRun, PublishedResults published) {
        for (StudyExperiment e : toRun) {
            Double s = published == null ? null : published.get(e.id()).map(p -> p.trainSeconds()).orElse(null);
            weights.put(e.id(), s != null && s > 0 ? s : 1.0);
        }
    }

    /** Marks {@code id} finished; returns the progress line. */
    String finished(String id) {
        done++;
        doneWeight += weights.getOrDefault(id, 1.0);
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        double elapsed = (System.nanoTime() - start) / 1e9;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "study: %d/%d experiments done, %s elapsed",
                done, weights.size(), minutes(elapsed)));
        if (done < weights.size() && doneWeight > 0) {
            double left = elapsed * (total - doneWeight) / doneWeight;
            line.append(String.format(Locale.ROOT, ", about %s left (ETA %s)", minutes(left),
                    LocalTime.now().plus(Duration.ofSeconds((long) left)).truncatedTo(ChronoUnit.MINUTES)));
        }
        return line.toString();
    }

    private static String minutes(double seconds) {
        return seconds < 120 ? String.format(Locale.ROOT, "%.0f s", seconds) : String.format(Locale.ROOT, "%.1f min", seconds / 60);
    }
}
