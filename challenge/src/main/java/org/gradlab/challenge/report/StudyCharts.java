package org.gradlab.challenge.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradlab.challenge.run.EpochRecord;
import org.gradlab.challenge.run.StudyResult;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The charts of a study report, as PNG bytes: learning curves, ROC curves, the overfitting gap, a grid heat map. */
final class StudyCharts {
    private StudyCharts() {}

    static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Train and validation loss and validation AUC per epoch of one experiment; the selected epoch marked. */
    static XYChart learningCurves(StudyResult r) {
        XYChart c = new XYChartBuilder().width(460).height(330).title(StudyReport.label(r)).xAxisTitle("epoch")
                .yAxisTitle("loss / AUC").build();
        ChartStyle.base(c.getStyler());
        List<Double> x = new ArrayList<>();
        List<Double> tl = new ArrayList<>();
        List<Double> vl = new ArrayList<>();
        List<Double> va = new ArrayList<>();
        for (EpochRecord e : r.history()) {
            x.add((double) e.epoch());
            tl.add(e.trainLoss());
            vl.add(e.valLoss());
            va.add(Double.isNaN(e.valAuc()) ? 0.5 : e.valAuc());
        }
        c.addSeries("train loss", x, tl).setMarker(SeriesMarkers.CIRCLE);
        c.addSeries("val loss", x, vl).setMarker(SeriesMarkers.CIRCLE);
        c.addSeries("val AUC", x, va).setMarker(SeriesMarkers.DIAMOND);
        org.knowm.xchart.XYSeries selected = c.addSeries("selected epoch", List.of((double) r.selectedEpoch()),
                List.of(va.get(Math.max(0, r.selectedEpoch() - 1))));
        selected.setMarker(SeriesMarkers.SQUARE).setMarkerColor(Color.BLACK);
        selected.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        // below the plot: inside, the legend hid the val AUC line where it climbs to the top right
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        return c;
    }

    /** Test-split ROC curves of the binary experiments (at most 12, the best by test AUC). */
    static XYChart roc(List<StudyResult> sorted) {
        XYChart c = new XYChartBuilder().width(640).height(480).title("ROC curves (test split, positive class)")
                .xAxisTitle("false positive rate").yAxisTitle("true positive rate").build();
        ChartStyle.base(c.getStyler());
        c.addSeries("chance", new double[] {0, 1}, new double[] {0, 1}).setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY);
        int n = 0;
        for (StudyResult r : sorted) {
            if (r.test().roc() == null || n++ >= 12) {
                continue;
            }
            double[][] pts = r.test().roc();
            double[] fx = new double[pts.length];
            double[] ty = new double[pts.length];
            for (int i = 0; i < pts.length; i++) {
                fx[i] = pts[i][0];
                ty[i] = pts[i][1];
            }
            c.addSeries(String.format("%s (%.3f)", r.id(), r.test().auc()), fx, ty).setMarker(SeriesMarkers.NONE);
        }
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        return n == 0 ? null : c;
    }

    /** Per experiment: final train accuracy minus validation accuracy at the selected epoch. */
    static CategoryChart overfittingGap(List<StudyResult> results) {
        CategoryChart c = new CategoryChartBuilder().width(Math.max(520, 40 * results.size() + 160)).height(340)
                .title("Train − validation accuracy (selected epoch)").xAxisTitle("experiment")
                .yAxisTitle("gap").build();
        ChartStyle.base(c.getStyler());
        List<String> ids = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        for (StudyResult r : results) {
            EpochRecord e = r.history().get(Math.max(0, r.selectedEpoch() - 1));
            ids.add(r.id());
            gaps.add(e.trainAccuracy() - e.valAccuracy());
        }
        c.addSeries("gap", ids, gaps);
        c.getStyler().setLegendVisible(false);
        // zero always on the axis, a margin around the bars, two decimals (gaps of a few thousandths printed 15 digits)
        double lo = Math.min(0, gaps.stream().mapToDouble(Double::doubleValue).min().orElse(0));
        double hi = Math.max(0, gaps.stream().mapToDouble(Double::doubleValue).max().orElse(0));
        double margin = Math.max(0.02, 0.1 * (hi - lo));
        c.getStyler().setYAxisMin(lo < 0 ? lo - margin : 0.0).setYAxisMax(hi + margin).setYAxisDecimalPattern("0.00");
        c.getStyler().setXAxisLabelRotation(ids.stream().anyMatch(s -> s.length() > 3) ? 60 : 0);
        return c;
    }

    /**
     * Test AUC over two grid axes, for the experiments whose other settings equal {@code fixed}; colours from 0.5
     * (chance) to 1.0 on every map, so maps of different backbones compare by colour.
     */
    static HeatMapChart gridHeatmap(String xKey, List<Object> xs, String yKey, List<Object> ys, Map<String, String> fixed,
                                    List<StudyResult> results, String title) {
        HeatMapChart c = new HeatMapChart(560, 360, Styler.ChartTheme.XChart);
        c.setTitle(title);
        c.setXAxisTitle(xKey);
        c.setYAxisTitle(yKey);
        List<Number[]> cells = new ArrayList<>();
        for (StudyResult r : results) {
            if (!fixed.entrySet().stream().allMatch(f -> f.getValue().equals(r.settings().get(f.getKey())))) {
                continue;
            }
            int xi = indexOf(xs, r.settings().get(xKey));
            int yi = indexOf(ys, r.settings().get(yKey));
            if (xi >= 0 && yi >= 0 && !Double.isNaN(r.test().auc())) {
                cells.add(new Number[] {xi, yi, r.test().auc()});
            }
        }
        if (cells.isEmpty()) {
            return null;
        }
        c.addSeries("test AUC", xs.stream().map(String::valueOf).toList(), ys.stream().map(String::valueOf).toList(), cells);
        var s = c.getStyler();
        ChartStyle.base(s);
        s.setShowValue(true);
        s.setHeatMapValueDecimalPattern("0.000");
        s.setValueFontColor(Color.BLACK);
        s.setRangeColors(new Color[] {new Color(0xd7191c), new Color(0xffffbf), new Color(0x1a9641)});
        // one scale for every heat map of the report: chance (0.5, and below) red to perfect (1.0) green
        s.setMin(0.5).setMax(1.0);
        return c;
    }

    private static int indexOf(List<Object> values, String formatted) {
        for (int i = 0; i < values.size(); i++) {
            if (org.gradlab.challenge.study.Settings.format(values.get(i)).equals(formatted)) {
                return i;
            }
        }
        return -1;
    }
}
