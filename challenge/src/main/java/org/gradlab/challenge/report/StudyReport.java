package org.gradlab.challenge.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.challenge.run.StudyData;
import org.gradlab.challenge.run.StudyResult;
import org.gradlab.challenge.run.StudyScores;
import org.gradlab.challenge.study.Settings;
import org.gradlab.challenge.study.Study;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes {@code DIR/study.html}, a self-contained page for a study of any dataset and size: the results table
 * sorted by test AUC (each row opens to the experiment's settings, what it changes and its note), learning curves
 * per experiment, ROC curves (binary tasks), the overfitting gap, and for a grid a heat map of the first two axes per
 * value of the third. A DermaMNIST study links the clinical report (report.html) beside it.
 */
public final class StudyReport {
    private StudyReport() {}

    public static Path write(Path dir, Study study, List<StudyResult> results, List<String> classNames, boolean dermaMnist)
            throws IOException {
        List<StudyResult> sorted = sortedByTestAuc(results);
        List<StudyResult> finished = results.stream().filter(r -> !r.isFailed()).toList();
        long failed = results.size() - finished.size();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(Html.escape(study.title()))
                .append("</title><style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:4px 6px;"
                        + "text-align:right}td.l,th.l{text-align:left}details pre{text-align:left;background:#f6f6f6;"
                        + "padding:6px;white-space:pre-wrap}.grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}"
                        + "tr.failed td{color:#b42318;background:#fdecea}td.failed{text-align:left}"
                        + "</style></head><body>");
        h.append("<h1>").append(Html.escape(study.title())).append("</h1>");
        h.append("<p>Study <code>").append(Html.escape(study.name())).append("</code> from <code>")
                .append(Html.escape(study.source())).append("</code>; data ").append(Html.escape(study.dataset().toString()))
                .append(", classes: ").append(Html.escape(StudyData.numbered(classNames))).append("; ")
                .append(finished.size()).append(" of ").append(study.experiments().size()).append(" experiments finished")
                .append(failed > 0 ? ", " + failed + " failed (diverged: marked in the table)." : ".");
        if (dermaMnist) {
            h.append(" The clinical columns (melanoma recall, cancer sensitivity) and training health are in "
                    + "<a href=\"report.html\">report.html</a>.");
        }
        h.append("</p><h2 id=\"results\">Results (sorted by test AUC)</h2>");
        table(h, sorted, study);
        h.append("<h2 id=\"curves\">Learning curves</h2><p>Training and validation loss and validation AUC per epoch; the black square "
                + "marks the epoch whose weights were scored.</p><div class=\"grid\">");
        for (StudyResult r : finished) {
            img(h, StudyCharts.learningCurves(r), r.id());
        }
        h.append("</div>");
        Chart<?, ?> roc = StudyCharts.roc(sorted.stream().filter(r -> !r.isFailed()).toList());
        if (roc != null) {
            h.append("<h2 id=\"roc\">ROC curves</h2>");
            img(h, roc, "ROC curves");
        }
        if (!finished.isEmpty()) {
            h.append("<h2 id=\"gap\">Overfitting gap</h2><p>Training accuracy of the selected epoch minus its validation accuracy: "
                    + "large gaps mean memorising.</p>");
            img(h, StudyCharts.overfittingGap(finished), "overfitting gap");
        }
        gridSection(h, study, finished);
        ClinicalSection.append(h, dir);
        h.append("</body></html>");
        Path file = dir.resolve("study.html");
        AtomicFiles.write(file, h.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /** The results as a console table, best test AUC first. */
    public static String consoleTable(List<StudyResult> results) {
        List<StudyResult> sorted = sortedByTestAuc(results);
        int w = Math.max(10, sorted.stream().mapToInt(r -> r.id().length()).max().orElse(0));
        StringBuilder sb = new StringBuilder(String.format("%-" + w + "s  %8s  %7s  %8s  %8s  %6s  %8s%n", "experiment", "test AUC",
                "val AUC", "test acc", "bal. acc", "epoch", "train s"));
        for (StudyResult r : sorted) {
            if (r.isFailed()) {
                sb.append(String.format("%-" + w + "s  FAILED: %s%n", r.id(), r.failure().reason()));
                continue;
            }
            sb.append(String.format("%-" + w + "s  %8.3f  %7.3f  %8.3f  %8.3f  %6s  %8.1f%n", r.id(), r.test().auc(), r.val().auc(),
                    r.test().accuracy(), r.test().balancedAccuracy(), r.selectedEpoch() + "/" + r.history().size(),
                    r.trainSeconds()));
        }
        return sb.toString();
    }

    private static void table(StringBuilder h, List<StudyResult> sorted, Study study) {
        boolean binary = sorted.stream().anyMatch(r -> !r.isFailed() && r.test().sensitivity() != null);
        Map<String, Double> published = PublishedAuc.read(study.published());
        h.append("<table><tr><th class=\"l\">experiment</th><th>test AUC</th>")
                .append(published.isEmpty() ? "" : "<th>published AUC</th><th>Δ</th>")
                .append("<th>val AUC</th><th>test acc</th><th>test bal. acc</th>");
        if (binary) {
            h.append("<th>sensitivity</th><th>specificity</th><th>Brier</th>");
        }
        h.append("<th>epoch</th><th>params</th><th>train s</th></tr>");
        int scoreColumns = 7 + (published.isEmpty() ? 0 : 2) + (binary ? 3 : 0);
        for (StudyResult r : sorted) {
            StudyScores t = r.test();
            h.append(r.isFailed() ? "<tr class=\"failed\">" : "<tr>").append("<td class=\"l\"><details><summary>")
                    .append(Html.escape(label(r))).append("</summary><pre>").append(Html.escape(details(r, study)))
                    .append("</pre></details></td>");
            if (r.isFailed()) {
                h.append("<td class=\"failed\" colspan=\"").append(scoreColumns).append("\"><b>FAILED</b>: ")
                        .append(Html.escape(r.failure().reason())).append("</td></tr>");
                continue;
            }
            h.append(cell(t.auc()));
            if (!published.isEmpty()) {
                Double p = published.get(r.id());
                h.append(cell(p)).append(cell(p == null ? null : t.auc() - p));
            }
            h.append(cell(r.val().auc())).append(cell(t.accuracy())).append(cell(t.balancedAccuracy()));
            if (binary) {
                h.append(cell(t.sensitivity())).append(cell(t.specificity())).append(cell(t.brier()));
            }
            h.append("<td>").append(r.selectedEpoch()).append('/').append(r.history().size())
                    .append(r.stoppedEarly() ? " (stopped)" : "").append("</td><td>").append(String.format("%,d", r.params()))
                    .append("</td><td>").append(String.format("%.1f", r.trainSeconds())).append("</td></tr>");
        }
        h.append("</table>");
    }

    private static String details(StudyResult r, Study study) {
        StringBuilder s = new StringBuilder();
        if (r.isFailed()) {
            s.append("FAILED: ").append(r.failure().reason()).append("\n").append(r.failure().detail()).append("\n\n");
        }
        if (r.note() != null) {
            s.append(r.note()).append("\n\n");
        }
        if (r.notes() != null) {
            s.append("NOTE: ").append(r.notes()).append("\n\n");
        }
        Map<String, String> parent = new LinkedHashMap<>();
        if (study.ids().contains(r.id())) {
            study.parentSettings(study.get(r.id())).values().forEach((k, v) -> parent.put(k, Settings.format(v)));
        }
        s.append(r.buildsOn() == null ? "changes from the defaults:\n" : "changes from " + r.buildsOn() + ":\n");
        r.settings().forEach((k, v) -> {
            if (!v.equals(parent.get(k))) {
                s.append("  ").append(k).append(": ").append(v).append('\n');
            }
        });
        s.append("\nall settings:\n");
        r.settings().forEach((k, v) -> s.append("  ").append(k).append(": ").append(v).append('\n'));
        return s.toString();
    }

    private static void gridSection(StringBuilder h, Study study, List<StudyResult> results) {
        List<String> axes = new ArrayList<>(study.grid().keySet());
        if (axes.size() < 2) {
            return;
        }
        h.append("<h2 id=\"grid\">Grid: ").append(Html.escape(axes.get(0))).append(" × ").append(Html.escape(axes.get(1)))
                .append("</h2><p>Test AUC").append(axes.size() > 2 ? " per " + Html.escape(axes.get(2)) : "")
                .append(".</p><div class=\"grid\">");
        List<Object> thirds = axes.size() > 2 ? study.grid().get(axes.get(2)) : java.util.Collections.singletonList(null);
        for (Object third : thirds) {
            Map<String, String> fixed = third == null ? Map.of() : Map.of(axes.get(2), Settings.format(third));
            Chart<?, ?> c = StudyCharts.gridHeatmap(axes.get(0), study.grid().get(axes.get(0)), axes.get(1),
                    study.grid().get(axes.get(1)), fixed, results, third == null ? "test AUC" : axes.get(2) + " = " + third);
            if (c != null) {
                img(h, c, "grid " + third);
            }
        }
        h.append("</div>");
    }

    /** Best test AUC first; a NaN AUC after every number, failed experiments last. */
    private static List<StudyResult> sortedByTestAuc(List<StudyResult> results) {
        List<StudyResult> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble((StudyResult r) -> r.isFailed() ? -2 : Double.isNaN(r.test().auc()) ? -1
                : r.test().auc()).reversed());
        return sorted;
    }

    /** The id, and the name when it says more than the id (a grid's names only repeat its values). */
    static String label(StudyResult r) {
        return r.name().replace(" / ", "-").equals(r.id()) || r.name().equals(r.id()) ? r.id() : r.id() + " " + r.name();
    }

    private static String cell(Double v) {
        return "<td>" + (v == null || Double.isNaN(v) ? "–" : String.format("%.3f", v)) + "</td>";
    }

    private static void img(StringBuilder h, Chart<?, ?> chart, String alt) {
        h.append("<figure><img alt=\"").append(Html.escape(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(StudyCharts.png(chart))).append("\"></figure>");
    }
}
