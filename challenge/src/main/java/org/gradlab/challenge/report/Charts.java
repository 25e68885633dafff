package org.gradlab.challenge.report;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Renders the report charts with XChart into PNG files under {@code DIR/charts/}. Works headless: the
 * {@code java.awt.headless} property is set to true unless the caller chose otherwise.
 *
 * <p>Charts adapt to partial results: a chart with nothing to show yet (for example no run with a positive
 * parameter count) is skipped rather than rendered empty.

 */
public final class Charts {
    /** Sub-folder of the output folder that receives the PNGs. */
    public static final String FOLDER = "charts";

    static final Color OURS = new Color(0x1f, 0x77, 0xb4);
    static final Color PUBLISHED = new Color(0xff, 0x7f, 0x0e);
    static final Color OURS_MEL = new Color(0x2c, 0xa0, 0x2c);
    static final Color PUBLISHED_MEL = new Color(0xd6, 0x27, 0x28);
    private static final Color[] CHAPTER_COLORS = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /**
     * Renders every chart that has data into {@code outDir/charts/}.
     *
     * @return the rendered charts in report order
     */
    public static List<ChartImage> renderAll(ResultsFile results, PublishedResults published, Path outDir) {
        Path dir = outDir.resolve(FOLDER);
        List<ChartImage> images = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            if (results.runs().isEmpty()) {
                return images;
            }
            add(images, dir, "recall-heatmap", "Per-class recall (validation)",
                    "Recall of each class per experiment: green = the model detects that lesion type, red = it "
                            + "misses it. Watch the mel column.", recallHeatmap(results));
            add(images, dir, "auc-vs-melanoma-recall", "AUC vs melanoma recall — the clinical view",
                    "High macro AUC does not guarantee that melanomas are caught. Points below the dashed line miss "
                            + "more than half of the melanomas. Labels are experiment ids.",
                    aucVsMelanoma(results, published));
            boolean compared = published.size() > 0; // the 25-experiment study; other studies have nothing published
            add(images, dir, "auc-ranked", "Experiments ranked by AUC", "All experiments sorted by our validation AUC"
                    + (compared ? ", with the published AUC beside each." : "."), aucRanked(results, published));
            if (results.runs().stream().anyMatch(r -> r.chapter() > 0)) {
                add(images, dir, "auc-by-chapter", "AUC grouped by chapter",
                        "Bars coloured by chapter; dots are the published AUC.", aucByChapter(results, published));
            }
            add(images, dir, "progression", compared ? "Progression arc 01 → 25" : "AUC and melanoma recall in study order",
                    "AUC and melanoma recall across the experiments in study order" + (compared ? ", ours vs published." : "."),
                    progression(results, published));
            add(images, dir, "auc-vs-time", "AUC vs training time",
                    "Validation AUC against training wall time, log scale (ours on this machine; published: PyTorch on "
                            + "an Apple MPS GPU, where published).", aucVsTime(results, published));
            add(images, dir, "auc-vs-params", "AUC vs parameters",
                    "Validation AUC against trainable parameters (log scale).", aucVsParams(results, published));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render charts into " + dir.toAbsolutePath(), e);
        }
        return images;
    }

    private static void add(List<ChartImage> images, Path dir, String name, String title, String caption,
                            Chart<?, ?> chart) throws IOException {
        if (chart == null) {
            return;
        }
        Path file = dir.resolve(name + ".png");
        AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        images.add(new ChartImage(file, title, caption));
    }

    /** Heat map of per-class validation recall: classes across, experiments down (01 at the top). */
    static HeatMapChart recallHeatmap(ResultsFile results) {
        List<RunResult> runs = results.runs();
        int height = Math.max(400, 110 + 22 * runs.size()); // below 400 px XChart dropped the label of every other row
        // the (width, height) constructor leaves the heat-map styler without colours and fonts: pass a theme
        HeatMapChart chart = new HeatMapChart(820, height, Styler.ChartTheme.XChart);
        chart.setTitle("Per-class recall (validation)");
        chart.setXAxisTitle("class");
        chart.setYAxisTitle("experiment");
        List<String> ys = new ArrayList<>();
        List<Number[]> cells = new ArrayList<>();
        for (int row = 0; row < runs.size(); row++) {
            RunResult r = runs.get(runs.size() - 1 - row); // first experiment on top
            ys.add(r.id() + " " + shorten(r.name(), 22));
            double[] rec = r.val().perClassRecall();
            for (int c = 0; c < Classes.COUNT; c++) {
                if (!Double.isNaN(rec[c])) {
                    cells.add(new Number[]{c, row, rec[c]});
                }
            }
        }
        chart.addSeries("recall", Classes.NAMES, ys, cells);
        var s = chart.getStyler();
        ChartStyle.base(s);
        s.setShowValue(true);
        s.setHeatMapValueDecimalPattern("0.00");
        s.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        s.setValueFontColor(Color.BLACK);
        s.setMin(0).setMax(1);
        s.setRangeColors(new Color[]{new Color(0xd7191c), new Color(0xfdae61), new Color(0xffffbf),
                new Color(0xa6d96a), new Color(0x1a9641)});
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        return chart;
    }

    /** Scatter of validation AUC (x) against melanoma recall (y), ours and published, labelled by id. */
    static XYChart aucVsMelanoma(ResultsFile results, PublishedResults published) {
        XYChart chart = ChartStyle.scatter("AUC vs melanoma recall — the clinical view", "macro AUC (validation)",
                "melanoma recall (validation)");
        ChartPoints ours = new ChartPoints();
        for (RunResult r : results.runs()) {
            ours.add(r.id(), r.val().auc(), r.val().melanomaRecall());
        }
        ChartPoints pub = new ChartPoints();
        for (PublishedRun p : published.all()) {
            pub.add(p.id(), p.auc(), p.melanomaRecall());
        }
        ChartStyle.addScatter(chart, "published", pub, PUBLISHED, SeriesMarkers.DIAMOND);
        ChartStyle.addScatter(chart, "ours", ours, OURS, SeriesMarkers.CIRCLE);
        ChartStyle.label(chart, pub, 0.012);
        ChartStyle.label(chart, ours, 0.012);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        AnnotationLine half = new AnnotationLine(0.5, false, false);
        chart.addAnnotation(half);
        chart.getStyler().setAnnotationLineColor(new Color(0xd62728));
        chart.getStyler().setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
                10f, new float[]{6f, 4f}, 0f));
        return chart.getSeriesCollection().isEmpty() ? null : chart;
    }

    /** Bars of validation AUC sorted descending, ours vs published. */
    static CategoryChart aucRanked(ResultsFile results, PublishedResults published) {
        List<RunResult> sorted = new ArrayList<>(results.runs());
        sorted.sort(Comparator.comparingDouble((RunResult r) -> nanLow(r.val().auc())).reversed());
        List<String> xs = new ArrayList<>();
        List<Double> ours = new ArrayList<>();
        List<Double> pub = new ArrayList<>();
        for (RunResult r : sorted) {
            xs.add(r.id() + " " + shorten(r.name(), 18));
            ours.add(finiteOrNull(r.val().auc()));
            pub.add(published.get(r.id()).map(PublishedRun::auc).orElse(null));
        }
        CategoryChart chart = new CategoryChart(ChartStyle.WIDTH, 600);
        chart.setTitle("Experiments ranked by AUC");
        chart.setYAxisTitle("macro AUC (validation)");
        CategorySeries s1 = chart.addSeries("ours", xs, ours);
        s1.setFillColor(OURS);
        if (pub.stream().anyMatch(v -> v != null)) {
            CategorySeries s2 = chart.addSeries("published", xs, pub);
            s2.setFillColor(PUBLISHED);
        }
        var s = chart.getStyler();
        ChartStyle.base(s);
        s.setXAxisLabelRotation(70);
        s.setAvailableSpaceFill(0.8);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setYAxisMin(aucFloor(ours, pub)).setYAxisMax(1.0);
        s.setYAxisDecimalPattern("0.00");
        chart.addAnnotation(new AnnotationLine(0.9, false, false));
        s.setAnnotationLineColor(Color.GRAY);
        return chart;
    }

    /** Validation AUC per experiment, bars coloured by chapter, published AUC as dots. */
    static CategoryChart aucByChapter(ResultsFile results, PublishedResults published) {
        List<RunResult> runs = results.runs();
        List<String> xs = runs.stream().map(RunResult::id).toList();
        CategoryChart chart = new CategoryChart(ChartStyle.WIDTH, ChartStyle.HEIGHT);
        chart.setTitle("AUC grouped by chapter");
        chart.setXAxisTitle("experiment");
        chart.setYAxisTitle("macro AUC (validation)");
        List<Integer> chapters = runs.stream().map(RunResult::chapter).distinct().sorted().toList();
        for (int chapter : chapters) {
            List<Double> ys = new ArrayList<>();
            for (RunResult r : runs) {
                ys.add(r.chapter() == chapter ? finiteOrNull(r.val().auc()) : null);
            }
            CategorySeries series = chart.addSeries(Chapters.label(chapter), xs, ys);
            series.setFillColor(CHAPTER_COLORS[Math.floorMod(chapter - 1, CHAPTER_COLORS.length)]);
        }
        List<Double> pub = new ArrayList<>();
        for (RunResult r : runs) {
            pub.add(published.get(r.id()).map(PublishedRun::auc).orElse(null));
        }
        if (pub.stream().anyMatch(v -> v != null)) {
            CategorySeries p = chart.addSeries("published", xs, pub);
            p.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Scatter);
            p.setMarker(SeriesMarkers.DIAMOND);
            p.setMarkerColor(Color.BLACK);
        }
        var s = chart.getStyler();
        ChartStyle.base(s);
        s.setOverlapped(true);
        s.setAvailableSpaceFill(0.7);
        s.setYAxisMin(aucFloor(runs.stream().map(r -> finiteOrNull(r.val().auc())).toList(), pub)).setYAxisMax(1.0);
        s.setYAxisDecimalPattern("0.00");
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        return chart;
    }

    /** AUC and melanoma recall in study order 01 → 25, ours vs published. */
    static XYChart progression(ResultsFile results, PublishedResults published) {
        XYChart chart = new XYChart(ChartStyle.WIDTH, ChartStyle.HEIGHT);
        chart.setTitle("Progression arc 01 → 25");
        chart.setXAxisTitle("experiment");
        chart.setYAxisTitle("validation metric");
        ChartPoints oursAuc = new ChartPoints();
        ChartPoints oursMel = new ChartPoints();
        for (RunResult r : results.runs()) {
            if (r.number() > 0) {
                oursAuc.add(r.id(), (double) r.number(), r.val().auc());
                oursMel.add(r.id(), (double) r.number(), r.val().melanomaRecall());
            }
        }
        ChartPoints pubAuc = new ChartPoints();
        ChartPoints pubMel = new ChartPoints();
        for (PublishedRun p : published.all()) {
            double n = parseNumber(p.id());
            pubAuc.add(p.id(), n, p.auc());
            pubMel.add(p.id(), n, p.melanomaRecall());
        }
        ChartStyle.addLine(chart, "published AUC", pubAuc, PUBLISHED, true);
        ChartStyle.addLine(chart, "ours AUC", oursAuc, OURS, false);
        ChartStyle.addLine(chart, "published melanoma recall", pubMel, PUBLISHED_MEL, true);
        ChartStyle.addLine(chart, "ours melanoma recall", oursMel, OURS_MEL, false);
        var s = chart.getStyler();
        ChartStyle.base(s);
        s.setYAxisMin(0.0).setYAxisMax(1.0);
        s.setYAxisDecimalPattern("0.0");
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setXAxisDecimalPattern("00");
        s.setXAxisMin(1.0).setXAxisMax(25.0);
        s.setXAxisMaxLabelCount(25);
        return chart.getSeriesCollection().isEmpty() ? null : chart;
    }

    /** Validation AUC against training seconds. */
    static XYChart aucVsTime(ResultsFile results, PublishedResults published) {
        return aucVs(results, published, "AUC vs training time", "training seconds (log scale)", true,
                r -> r.trainSeconds() > 0 ? r.trainSeconds() : null,
                p -> p.trainSeconds());
    }

    /** Validation AUC against trainable parameters on a log axis. */
    static XYChart aucVsParams(ResultsFile results, PublishedResults published) {
        return aucVs(results, published, "AUC vs parameters", "trainable parameters (log scale)", true,
                r -> r.params() > 0 ? (double) r.params() : null,
                p -> p.params() == null ? null : p.params().doubleValue());
    }

    private static XYChart aucVs(ResultsFile results, PublishedResults published, String title, String xTitle,
                                 boolean logX, Function<RunResult, Double> x, Function<PublishedRun, Double> px) {
        XYChart chart = ChartStyle.scatter(title, xTitle, "macro AUC (validation)");
        ChartPoints ours = new ChartPoints();
        for (RunResult r : results.runs()) {
            ours.add(r.id(), x.apply(r), r.val().auc());
        }
        ChartPoints pub = new ChartPoints();
        for (PublishedRun p : published.all()) {
            pub.add(p.id(), px.apply(p), p.auc());
        }
        if (ours.size() == 0) {
            return null;
        }
        ChartStyle.addScatter(chart, "published", pub, PUBLISHED, SeriesMarkers.DIAMOND);
        ChartStyle.addScatter(chart, "ours", ours, OURS, SeriesMarkers.CIRCLE);
        ChartStyle.label(chart, pub, 0.006);
        ChartStyle.label(chart, ours, 0.006);
        if (logX) {
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setXAxisDecimalPattern("#,##0");
        }
        return chart;
    }

    /** Lower end of an AUC axis: 0.5 (chance), or lower in steps of 0.1 when a value falls below it. */
    static double aucFloor(List<Double> a, List<Double> b) {
        double min = 0.5;
        for (List<Double> list : List.of(a, b)) {
            for (Double v : list) {
                if (v != null && Double.isFinite(v)) {
                    min = Math.min(min, Math.floor(v * 10) / 10);
                }
            }
        }
        return Math.max(0.0, min);
    }

    private static double nanLow(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double parseNumber(String id) {
        try {
            return Integer.parseInt(id.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
