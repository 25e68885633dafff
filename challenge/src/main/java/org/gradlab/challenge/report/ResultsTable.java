package org.gradlab.challenge.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A fixed-width plain-text table of our results beside the published ones, for the console at the end of a run. */
public final class ResultsTable {
    private static final String[] HEADER = {"#", "experiment", "AUC", "pub", "ΔAUC", "mel", "pub", "cancer", "pub",
            "acc", "params", "train s", "notes"};
    private static final boolean[] LEFT = {false, true, false, false, false, false, false, false, false, false, false,
            false, true};
    /** Indices of the published columns in {@link #HEADER}. */
    private static final List<Integer> PUBLISHED_COLUMNS = List.of(3, 4, 6, 8);

    private ResultsTable() {
    }

    /** Renders the table, followed by a line counting experiments 01–22 within tolerance of the published AUC. */
    public static String render(ResultsFile results, PublishedResults published) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (RunResult r : results.runs()) {
            PublishedRun p = published.get(r.id()).orElse(null);
            SplitMetrics v = r.val();
            rows.add(new String[]{r.id(), Charts.shorten(r.name(), 32), Fmt.num(v.auc(), 3),
                    p == null ? "" : Fmt.num(p.auc(), 3), Fmt.delta(Comparison.deltaAuc(r, published)),
                    Fmt.pct(v.melanomaRecall()), p == null ? "" : Fmt.pct(p.melanomaRecall()),
                    Fmt.pct(v.cancerSensitivity()), p == null ? "" : Fmt.pct(p.cancerSensitivity()),
                    Fmt.pct(v.accuracy()), Fmt.count(r.params()), Fmt.secs(r.trainSeconds()),
                    Comparison.note(r)});
        }
        for (FailedRun f : results.failed()) {
            String[] row = new String[HEADER.length];
            java.util.Arrays.fill(row, "");
            row[0] = f.id();
            row[1] = Charts.shorten(f.name(), 32);
            row[2] = "FAILED";
            row[HEADER.length - 1] = f.reason();
            rows.add(row);
        }
        rows.subList(1, rows.size()).sort(java.util.Comparator.comparing(row -> row[0]));
        boolean compared = published.size() > 0;
        if (!compared) { // nothing published for this study: no published columns, no tolerance line
            rows.replaceAll(ResultsTable::withoutPublished);
        }
        boolean[] left = compared ? LEFT : withoutPublished(LEFT);
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            line(sb, rows.get(k), width, left);
            if (k == 0) {
                String[] rule = new String[width.length];
                for (int i = 0; i < rule.length; i++) {
                    rule[i] = "-".repeat(width[i]);
                }
                line(sb, rule, width, left);
            }
        }
        if (compared) {
            sb.append(String.format(Locale.ROOT, "%d of %d experiments 01-%d within ±%.2f of the published AUC%n",
                    Comparison.withinTolerance(results, published), Comparison.comparableCustom(results, published),
                    Comparison.LAST_CUSTOM, Comparison.AUC_TOLERANCE));
        }
        return sb.toString();
    }

    /** The row without the published columns (pub, ΔAUC, pub, pub). */
    private static String[] withoutPublished(String[] row) {
        String[] out = new String[row.length - PUBLISHED_COLUMNS.size()];
        for (int i = 0, j = 0; i < row.length; i++) {
            if (!PUBLISHED_COLUMNS.contains(i)) {
                out[j++] = row[i];
            }
        }
        return out;
    }

    private static boolean[] withoutPublished(boolean[] flags) {
        boolean[] out = new boolean[flags.length - PUBLISHED_COLUMNS.size()];
        for (int i = 0, j = 0; i < flags.length; i++) {
            if (!PUBLISHED_COLUMNS.contains(i)) {
                out[j++] = flags[i];
            }
        }
        return out;
    }

    private static void line(StringBuilder sb, String[] cells, int[] width, boolean[] left) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                l.append("  ");
            }
            String pad = " ".repeat(width[i] - cells[i].length());
            l.append(left[i] ? cells[i] + pad : pad + cells[i]);
        }
        sb.append(l.toString().stripTrailing()).append(System.lineSeparator());
    }
}
