package org.gradlab.challenge.report;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Derived comparisons between our runs and the published figures, shared by the HTML and console tables. */
public final class Comparison {
    /** Tolerance on AUC for counting an experiment as reproduced. */
    public static final double AUC_TOLERANCE = 0.03;
    /** Last experiment of the custom-CNN part of the study (01..22) counted against the tolerance. */
    public static final int LAST_CUSTOM = 22;

    private Comparison() {
    }

    /** Our validation AUC minus the published AUC, or null when either is missing. */
    public static Double deltaAuc(RunResult r, PublishedResults published) {
        Double pub = published.get(r.id()).map(PublishedRun::auc).orElse(null);
        return pub == null || !Double.isFinite(r.val().auc()) ? null : r.val().auc() - pub;
    }

    /** Runs 01..22 that have a published AUC. */
    public static long comparableCustom(ResultsFile results, PublishedResults published) {
        return results.runs().stream().filter(r -> r.number() >= 1 && r.number() <= LAST_CUSTOM)
                .filter(r -> deltaAuc(r, published) != null).count();
    }

    /** Runs 01..22 whose validation AUC is within {@link #AUC_TOLERANCE} of the published AUC. */
    public static long withinTolerance(ResultsFile results, PublishedResults published) {
        return results.runs().stream().filter(r -> r.number() >= 1 && r.number() <= LAST_CUSTOM)
                .map(r -> deltaAuc(r, published))
                .filter(d -> d != null && Math.abs(d) <= AUC_TOLERANCE + 1e-12).count();
    }

    /** The run with the highest validation AUC. */
    public static Optional<RunResult> bestAuc(List<RunResult> runs) {
        return runs.stream().filter(r -> Double.isFinite(r.val().auc()))
                .max(Comparator.comparingDouble(r -> r.val().auc()));
    }

    /** The run with the highest validation melanoma recall (ties: higher AUC). */
    public static Optional<RunResult> bestMelanomaRecall(List<RunResult> runs) {
        return runs.stream().filter(r -> Double.isFinite(r.val().melanomaRecall()))
                .max(Comparator.comparingDouble((RunResult r) -> r.val().melanomaRecall())
                        .thenComparingDouble(r -> Double.isFinite(r.val().auc()) ? r.val().auc() : -1));
    }

    /**
     * The note shown for a run: its own notes, or for experiments 23–25 trained with {@code pretrained == false}
     * a marker that no pretrained weights were used.
     */
    public static String note(RunResult r) {
        String own = r.notes() == null ? "" : r.notes().strip();
        boolean transfer = r.number() >= 23 && r.number() <= 25;
        if (transfer && Boolean.FALSE.equals(r.pretrained())
                && !own.toLowerCase(java.util.Locale.ROOT).contains("pretrained")
                && !own.toLowerCase(java.util.Locale.ROOT).contains("random init")) {
            String mark = "no pretrained weights (random init)";
            return own.isEmpty() ? mark : mark + "; " + own;
        }
        return own;
    }
}
