package org.gradlab.challenge.report;

/** The DermaMNIST report's results table for a study with nothing published: our figures only, no published columns. */
final class OwnResultsTable {
    private OwnResultsTable() {}

    static void append(StringBuilder h, ResultsFile results) {
        h.append("<section>\n<h2>Results</h2>\n<p class=\"muted\">Validation split unless marked test.</p>\n")
                .append("<div class=\"scroll\"><table class=\"results own\">\n<thead><tr>")
                .append("<th>#</th><th class=\"name\">experiment</th><th>AUC</th><th>mel recall</th><th>cancer sens.</th>")
                .append("<th>accuracy</th><th>params</th><th>train s</th><th>test AUC <small>[95% CI]</small></th>")
                .append("<th class=\"name\">notes</th></tr></thead>\n<tbody>\n");
        for (RunResult r : results.runs()) {
            SplitMetrics v = r.val();
            h.append("<tr id=\"exp-").append(Html.escape(r.id())).append("\"><td>").append(Html.escape(r.id())).append("</td>")
                    .append("<td class=\"name\">").append(Html.escape(r.name())).append("</td>");
            cell(h, Fmt.num(v.auc(), 3));
            cell(h, Fmt.pct(v.melanomaRecall()));
            cell(h, Fmt.pct(v.cancerSensitivity()));
            cell(h, Fmt.pct(v.accuracy()));
            cell(h, Fmt.count(r.params()));
            cell(h, Fmt.secs(r.trainSeconds()));
            h.append("<td>").append(HtmlReport.testAuc(r.test())).append("</td>");
            h.append("<td class=\"name note\">").append(Html.escape(Comparison.note(r))).append("</td></tr>\n");
        }
        for (FailedRun f : results.failed()) {
            h.append("<tr id=\"exp-").append(Html.escape(f.id())).append("\" class=\"failed\"><td>").append(Html.escape(f.id()))
                    .append("</td><td class=\"name\">").append(Html.escape(f.name())).append("</td><td colspan=\"8\" class=\"name note\">")
                    .append("<b>FAILED</b>: ").append(Html.escape(f.reason())).append("</td></tr>\n");
        }
        h.append("</tbody></table></div>\n</section>\n");
    }

    private static void cell(StringBuilder h, String text) {
        h.append("<td>").append(Html.escape(text)).append("</td>");
    }
}
