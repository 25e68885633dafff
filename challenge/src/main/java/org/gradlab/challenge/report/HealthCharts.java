package org.gradlab.challenge.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training-health charts of one experiment, by epoch and per layer, written to
 * {@code DIR/charts/health-<id>-<kind>.png}: gradient norm and update/weight ratio of each conv or linear weight,
 * dead-ReLU fraction and output RMS of each ReLU layer, and the drift of each BatchNorm layer's running statistics. A chart with
 * nothing to show (no BatchNorm layer, say) is skipped.
 */
public final class HealthCharts {
    static final int WIDTH = 640;
    static final int HEIGHT = 400;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
            new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private HealthCharts() {
    }

    /** Renders the charts that have data; returns them in report order. */
    public static List<ChartImage> render(ExperimentHealth h, Path outDir) {
        Path dir = outDir.resolve(Charts.FOLDER);
        List<ChartImage> images = new ArrayList<>();
        Set<String> bnLayers = bnLayers(h.rows());
        List<HealthRow> weights = h.rows().stream()
                .filter(r -> r.part().equals("weight") && !bnLayers.contains(r.layer())).toList();
        List<HealthRow> relus = h.rows().stream().filter(r -> r.part().equals("ReLU")).toList();
        List<HealthRow> bnStats = h.rows().stream()
                .filter(r -> r.part().equals("running_mean") || r.part().equals("running_var")).toList();
        try {
            Files.createDirectories(dir);
            add(images, dir, h.id(), "grad-norm", "Gradient norm per layer",
                    "Mean L2 norm of each conv/linear weight's gradient over the epoch's steps (log scale). A layer "
                            + "whose line sinks far below the others learns little; lines orders of magnitude apart "
                            + "mean one learning rate cannot suit every layer.",
                    chart(h, "exp " + h.id() + ": gradient norm per layer", "mean |grad| (log)", weights,
                            HealthRow::gradNorm, true, r -> r.layer()));
            add(images, dir, h.id(), "update-ratio", "Update / weight ratio per layer",
                    "How far each weight tensor moved in the epoch relative to its size, ||w_end − w_start|| / "
                            + "||w_start|| (log scale). Per epoch, values around 1e-2 to 1e-1 are typical; far "
                            + "below means the layer is frozen in practice, near 1 means it is being rewritten.",
                    chart(h, "exp " + h.id() + ": update / weight ratio per epoch", "relative change (log)", weights,
                            HealthRow::updateRatio, true, r -> r.layer()));
            add(images, dir, h.id(), "dead-relu", "Dead-ReLU fraction per layer",
                    "Share of each ReLU layer's outputs that are exactly 0 on the epoch's last batch. Near 1: the "
                            + "layer passes almost nothing on, and no gradient flows back through the zeros.",
                    deadReluChart(h, relus));
            add(images, dir, h.id(), "relu-rms", "Signal scale per layer",
                    "Root mean square of each ReLU layer's outputs on the epoch's last batch (log scale): the size "
                            + "of the signal each layer hands on. Without normalisation it can shrink (or grow) layer "
                            + "by layer; BatchNorm resets it to about the same scale in every layer.",
                    chart(h, "exp " + h.id() + ": ReLU output RMS per layer", "RMS of outputs (log)", relus,
                            HealthRow::reluRms, true, HealthRow::layer));
            add(images, dir, h.id(), "bn-drift", "BatchNorm running-statistic drift",
                    "Relative change of each BatchNorm layer's running mean and running variance over the epoch "
                            + "(log scale), relative to the larger of the start and end norms, so the first epoch, "
                            + "which starts from a running mean of 0, reads about 1. These are the statistics "
                            + "evaluation uses instead of the batch's own: drift that does not settle means "
                            + "evaluation normalises with moving targets.",
                    chart(h, "exp " + h.id() + ": BatchNorm running-statistic drift", "relative change (log)", bnStats,
                            HealthRow::bnDrift, true, r -> r.layer() + (r.part().equals("running_mean") ? " mean" : " var")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render health charts into " + dir.toAbsolutePath(), e);
        }
        return images;
    }

    /** File of one chart, whether or not it was rendered. */
    public static Path file(Path outDir, String id, String kind) {
        return outDir.resolve(Charts.FOLDER).resolve("health-" + id + "-" + kind + ".png");
    }

    private static void add(List<ChartImage> images, Path dir, String id, String kind, String title, String caption,
                            CategoryChart chart) throws IOException {
        if (chart == null) {
            return;
        }
        Path file = dir.resolve("health-" + id + "-" + kind + ".png");
        AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        images.add(new ChartImage(file, title, caption));
    }

    private static CategoryChart deadReluChart(ExperimentHealth h, List<HealthRow> relus) {
        CategoryChart c = chart(h, "exp " + h.id() + ": dead-ReLU fraction", "share of outputs = 0", relus,
                HealthRow::deadRelu, false, HealthRow::layer);
        if (c != null) {
            c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.0");
        }
        return c;
    }

    /**
     * A line per series name (from {@code label}), epochs across. On a log axis non-positive values are left out;
     * null when no series has a value.
     */
    private static CategoryChart chart(ExperimentHealth h, String title, String yTitle, List<HealthRow> rows,
                                       ToDoubleFunction<HealthRow> value,
                                       boolean log, java.util.function.Function<HealthRow, String> label) {
        int epochs = h.lastEpoch() + 1;
        int first = h.rows().stream().mapToInt(HealthRow::epoch).min().orElse(0);
        List<String> xs = new ArrayList<>();
        for (int e = first; e < epochs; e++) {
            xs.add(Integer.toString(e + 1));
        }
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (HealthRow r : rows) {
            double v = value.applyAsDouble(r);
            if (!Double.isFinite(v) || (log && v <= 0)) {
                continue;
            }
            List<Double> ys = series.computeIfAbsent(label.apply(r), k -> nulls(xs.size()));
            ys.set(r.epoch() - first, v);
        }
        if (series.isEmpty()) {
            return null;
        }
        CategoryChart chart = new CategoryChart(WIDTH, HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle("epoch");
        chart.setYAxisTitle(yTitle);
        int i = 0;
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            CategorySeries s = chart.addSeries(e.getKey(), xs, e.getValue());
            s.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
            Color color = PALETTE[i++ % PALETTE.length];
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(new BasicStroke(2f));
        }
        var st = chart.getStyler();
        ChartStyle.base(st);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setMarkerSize(7);
        st.setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        st.setOverlapped(true); // every series at the same x for an epoch, not side by side like bars
        st.setYAxisLogarithmic(log);
        if (log) {
            // whole decades around the data: XChart would otherwise start a category axis at 0
            double min = series.values().stream().flatMap(List::stream).filter(v -> v != null)
                    .mapToDouble(Double::doubleValue).min().orElse(1);
            double max = series.values().stream().flatMap(List::stream).filter(v -> v != null)
                    .mapToDouble(Double::doubleValue).max().orElse(1);
            double bottom = Math.pow(10, Math.floor(Math.log10(min)));
            double top = Math.pow(10, Math.ceil(Math.log10(max))); // labels sit on decades: show the one above
            st.setYAxisMin(bottom);
            st.setYAxisMax(top > bottom ? top : bottom * 10);
        } else {
            st.setYAxisDecimalPattern("0.00");
        }
        return chart;
    }

    private static Set<String> bnLayers(List<HealthRow> rows) {
        Set<String> layers = new LinkedHashSet<>();
        for (HealthRow r : rows) {
            if (r.part().equals("running_mean")) {
                layers.add(r.layer());
            }
        }
        return layers;
    }

    private static List<Double> nulls(int n) {
        List<Double> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(null);
        }
        return l;
    }
}
