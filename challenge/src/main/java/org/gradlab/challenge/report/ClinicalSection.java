package org.gradlab.challenge.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.gradlab.challenge.predict.Calibration;
import org.gradlab.challenge.predict.OperatingPoint;
import org.gradlab.challenge.run.ClinicalResult;
import org.gradlab.challenge.run.StudyEnsembles;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The study report's section for what the winners did and the clinical operating point, from
 * {@code study-clinical.json}: a table of experiments and ensembles (AUC without and with TTA, 95 % bootstrap
 * intervals, the operating point's threshold and its recall, specificity and precision on validation and test,
 * the temperature and the Brier score before and after), the ROC curve of the operating point's class with the
 * chosen point, and a reliability diagram per row. Absent when the file is.
 */
final class ClinicalSection {
    private ClinicalSection() {}

    static void append(StringBuilder h, Path dir) throws IOException {
        StudyEnsembles.ClinicalFile f = StudyEnsembles.load(dir);
        List<ClinicalResult> rows = new ArrayList<>(f.experiments());
        rows.addAll(f.ensembles());
        if (rows.isEmpty()) {
            return;
        }
        boolean decisions = rows.stream().anyMatch(r -> r.ttaViews() > 1 || r.operatingPoint() != null || r.temperature() != null
                || !r.kind().equals("experiment"));
        if (!decisions) { // a study that sets none of them: its intervals and calibration, without a table of dashes
            appendPlain(h, rows);
            return;
        }
        h.append("<h2>Decisions: TTA, ensembles, operating point, calibration</h2><p>AUC measures ranking; a clinic acts "
                + "on a threshold. The operating point is the largest threshold that reaches the target recall of its "
                + "class on the validation split; test rates are at that same threshold. Intervals: 95 % percentile "
                + "bootstrap (1000 resamples). Final = after TTA and temperature scaling where set (temperature never "
                + "changes AUC). Ensembles are the last rows.</p>");
        h.append("<table><tr><th class=\"l\">row</th><th>TTA</th><th>val AUC plain</th><th>val AUC final</th>"
                + "<th>test AUC plain</th><th>test AUC final [95 % CI]</th><th class=\"l\">class, target</th><th>threshold</th>"
                + "<th>val recall</th><th>val spec.</th><th>test recall [CI]</th><th>test spec. [CI]</th>"
                + "<th>test precision [CI]</th><th>T</th><th>val Brier before → after</th><th>val ECE before → after</th></tr>");
        for (ClinicalResult r : rows) {
            OperatingPoint.Result op = r.operatingPoint();
            h.append("<tr><td class=\"l\">").append(Html.escape(r.id())).append("<br><small>").append(Html.escape(r.kind()))
                    .append("</small></td><td>").append(r.ttaViews() > 1 ? r.ttaViews() + " views" : "–").append("</td>")
                    .append(cell(r.plainVal() == null ? null : r.plainVal().auc())).append(cell(r.val().auc()))
                    .append(cell(r.plainTest() == null ? null : r.plainTest().auc()))
                    .append(withCi(r.test().auc(), r.testAucCi()));
            if (op == null) {
                h.append("<td class=\"l\">–</td>").append("<td>–</td>".repeat(6));
            } else {
                h.append("<td class=\"l\">").append(Html.escape(op.className())).append(String.format(", %.0f %%", 100 * op.targetRecall()))
                        .append("</td>").append(String.format("<td>%.4f</td>", op.threshold())).append(cell(op.val().recall()))
                        .append(cell(op.val().specificity())).append(withCi(op.test().recall(), op.test().recallCi()))
                        .append(withCi(op.test().specificity(), op.test().specificityCi()))
                        .append(withCi(op.test().precision(), op.test().precisionCi()));
            }
            h.append(r.temperature() == null ? "<td>–</td>" : String.format("<td>%.3f</td>", r.temperature()));
            Calibration.Scores before = r.calibration() == null ? null : r.calibration().get("val_before");
            Calibration.Scores after = r.calibration() == null ? null : r.calibration().get("val_after");
            h.append("<td>").append(before == null ? "–" : String.format("%.4f", before.brier()))
                    .append(after == null ? "" : String.format(" → %.4f", after.brier())).append("</td><td>")
                    .append(before == null ? "–" : String.format("%.4f", before.ece()))
                    .append(after == null ? "" : String.format(" → %.4f", after.ece())).append("</td></tr>");
        }
        h.append("</table>");
        List<ClinicalResult> withPoint = rows.stream().filter(r -> operatingPointChart(r) != null).toList();
        if (!withPoint.isEmpty()) { // no heading over an empty grid when no row sets an operating point
            h.append("<h3>Operating point on the ROC curve</h3><p>One vs rest for the operating point's class; the markers "
                    + "are the chosen threshold on validation and the same threshold on test.</p><div class=\"grid\">");
            for (ClinicalResult r : withPoint) {
                img(h, operatingPointChart(r), "operating point " + r.id());
            }
            h.append("</div>");
        }
        h.append("<h3>Reliability</h3><p>Validation samples binned by their top-class probability: mean "
                + "probability against the fraction correct; a calibrated model lies on the diagonal.</p><div class=\"grid\">");
        for (ClinicalResult r : rows) {
            XYChart c = reliabilityChart(r);
            if (c != null) {
                img(h, c, "reliability " + r.id());
            }
        }
        h.append("</div>");
    }

    /** Test AUC with its bootstrap interval and the validation calibration of experiments without TTA, ensembles or operating points. */
    private static void appendPlain(StringBuilder h, List<ClinicalResult> rows) {
        h.append("<h2>Intervals and calibration</h2><p>Test AUC with its 95 % percentile bootstrap interval (1000 "
                + "resamples); Brier score and expected calibration error of the validation probabilities.</p>");
        h.append("<table><tr><th class=\"l\">experiment</th><th>val AUC</th><th>test AUC [95 % CI]</th><th>val Brier</th>"
                + "<th>val ECE</th></tr>");
        for (ClinicalResult r : rows) {
            Calibration.Scores before = r.calibration() == null ? null : r.calibration().get("val_before");
            h.append("<tr><td class=\"l\">").append(Html.escape(r.id())).append("</td>").append(cell(r.val().auc()))
                    .append(withCi(r.test().auc(), r.testAucCi()))
                    .append("<td>").append(before == null ? "–" : String.format("%.4f", before.brier())).append("</td><td>")
                    .append(before == null ? "–" : String.format("%.4f", before.ece())).append("</td></tr>");
        }
        h.append("</table><h3>Reliability</h3><p>Validation samples binned by their top-class probability: mean "
                + "probability against the fraction correct; a calibrated model lies on the diagonal.</p><div class=\"grid\">");
        for (ClinicalResult r : rows) {
            XYChart c = reliabilityChart(r);
            if (c != null) {
                img(h, c, "reliability " + r.id());
            }
        }
        h.append("</div>");
    }

    /** ROC of the operating point's class on validation and test, the chosen threshold marked on both. */
    static XYChart operatingPointChart(ClinicalResult r) {
        OperatingPoint.Result op = r.operatingPoint();
        if (op == null || r.rocVal() == null) {
            return null;
        }
        XYChart c = new XYChartBuilder().width(460).height(340).title(r.id() + ": " + op.className() + " vs rest")
                .xAxisTitle("1 − specificity").yAxisTitle("recall").build();
        ChartStyle.base(c.getStyler());
        c.addSeries("chance", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY);
        curve(c, "val ROC", r.rocVal());
        curve(c, "test ROC", r.rocTest());
        point(c, String.format("val @ %.3f", op.threshold()), 1 - op.val().specificity(), op.val().recall(), Color.BLACK,
                SeriesMarkers.SQUARE);
        point(c, "test @ same", 1 - op.test().specificity(), op.test().recall(), Color.RED, SeriesMarkers.DIAMOND);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        return c;
    }

    /** Reliability bins of the validation split, before and after temperature scaling. */
    static XYChart reliabilityChart(ClinicalResult r) {
        if (r.calibration() == null || r.calibration().get("val_before") == null) {
            return null;
        }
        XYChart c = new XYChartBuilder().width(460).height(340).title(r.id() + ": reliability (val)")
                .xAxisTitle("mean top-class probability").yAxisTitle("fraction correct").build();
        ChartStyle.base(c.getStyler());
        c.addSeries("calibrated", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY);
        bins(c, String.format("before (Brier %.3f)", r.calibration().get("val_before").brier()),
                r.calibration().get("val_before").reliability());
        if (r.calibration().get("val_after") != null) {
            bins(c, String.format("T = %.2f (Brier %.3f)", r.temperature(), r.calibration().get("val_after").brier()),
                    r.calibration().get("val_after").reliability());
        }
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return c;
    }

    private static void bins(XYChart c, String name, Calibration.Reliability rel) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int b = 0; b < rel.count().length; b++) {
            if (rel.count()[b] > 0) {
                x.add(rel.confidence()[b]);
                y.add(rel.accuracy()[b]);
            }
        }
        if (!x.isEmpty()) {
            c.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
        }
    }

    private static void curve(XYChart c, String name, double[][] pts) {
        double[] x = new double[pts.length];
        double[] y = new double[pts.length];
        for (int i = 0; i < pts.length; i++) {
            x[i] = pts[i][0];
            y[i] = pts[i][1];
        }
        c.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }

    private static void point(XYChart c, String name, double x, double y, Color color, org.knowm.xchart.style.markers.Marker m) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return;
        }
        XYSeries s = c.addSeries(name, new double[] {x}, new double[] {y});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(m).setMarkerColor(color);
    }

    private static String cell(Double v) {
        return "<td>" + (v == null || Double.isNaN(v) ? "–" : String.format("%.3f", v)) + "</td>";
    }

    private static String withCi(double v, double[] ci) {
        if (Double.isNaN(v)) {
            return "<td>–</td>";
        }
        return ci == null || Double.isNaN(ci[0]) ? String.format("<td>%.3f</td>", v)
                : String.format("<td>%.3f [%.3f, %.3f]</td>", v, ci[0], ci[1]);
    }

    private static void img(StringBuilder h, XYChart chart, String alt) {
        h.append("<figure><img alt=\"").append(Html.escape(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(StudyCharts.png(chart))).append("\"></figure>");
    }
}
