package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.study.ClinicalSettings;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.Functional;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.Batch;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.Sampler;
import org.gradlab.nn.data.transforms.TensorTransform;
import org.gradlab.nn.data.transforms.Transform;
import org.gradlab.nn.optim.GradClipping;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.ParamGroup;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The LR range test (Smith 2017; the silver medal found OneCycle's 5e−6 and 2e−4 with it): one pass over the training
 * data with the experiment's model, optimizer, loss and augmentation, the learning rate growing exponentially from
 * {@code minLr} to {@code maxLr}, step i of n at lr_i = minLr · (maxLr / minLr)^(i / (n − 1)). The loss is smoothed by
 * a debiased exponential moving average (β = 0.98); the test stops early once the smoothed loss exceeds 4× its
 * minimum (diverged). The suggested LR is where the smoothed loss falls fastest against log lr, before its minimum.
 */
public final class LrRangeTest {
    static final double BETA = 0.98;

    /** One step: its learning rate, the batch loss and the smoothed loss. */
    public record Point(double lr, double loss, double smoothed) {}

    /** The curve, the suggestion, and why the test ended. */
    public record Result(List<Point> points, double suggested, double minimumLr, boolean diverged) {}

    private LrRangeTest() {}

    /** lr of step {@code i} of {@code n}. */
    static double lrAt(int i, int n, double minLr, double maxLr) {
        return n <= 1 ? minLr : minLr * Math.pow(maxLr / minLr, (double) i / (n - 1));
    }

    /**
     * The steepest descent of {@code smoothed} against log lr (central differences) among the points before the
     * minimum, skipping the first tenth (the average is still warming up there); the minimum's lr when no point
     * descends.
     */
    static double suggest(List<Point> pts) {
        int min = 0;
        for (int i = 1; i < pts.size(); i++) {
            if (pts.get(i).smoothed() < pts.get(min).smoothed()) {
                min = i;
            }
        }
        int from = Math.max(1, pts.size() / 10);
        double best = 0;
        int at = -1;
        for (int i = from; i < min && i + 1 < pts.size(); i++) {
            double slope = (pts.get(i + 1).smoothed() - pts.get(i - 1).smoothed())
                    / (Math.log(pts.get(i + 1).lr()) - Math.log(pts.get(i - 1).lr()));
            if (slope < best) {
                best = slope;
                at = i;
            }
        }
        return at < 0 ? pts.get(min).lr() : pts.get(at).lr();
    }

    public static Result run(StudyExperiment e, StudyData data, Device device, long seed, double minLr, double maxLr,
                             PrintStream log) {
        if (!(minLr > 0 && maxLr > minLr)) {
            throw new IllegalArgumentException("lr-find: expected 0 < min-lr < max-lr, got " + minLr + " and " + maxLr);
        }
        Split train = data.train();
        Module model = StudyModels.build(e.model(), train.c(), train.h(), data.numClasses(), new Generator(seed * 1_000_003L + 17));
        if (e.model().freezeBackbone()) {
            StudyModels.freezeBackbone(model, e.model());
        }
        MultiSampleHeads.install(model, e.model(), ClinicalSettings.multiSampleDropout(e));
        model.to(device);
        model.train();
        Optimizer opt = StudyRecipes.optimizer(e.optimizer(), model.trainableParameters());
        DataLoader.Builder b = DataLoader.builder(train.dataset())
                .batchSize(e.batch()).seed(seed).workers(1).device(device);
        Sampler sampler = ClinicalTraining.sampler(e, train, data.numClasses(), seed);
        b = sampler != null ? b.sampler(sampler) : b.shuffle(true);
        Transform augment = StudyRecipes.imageTransform(e.augmentSteps());
        if (augment != null) {
            b.transform(augment);
        }
        TensorTransform[] tensorSteps = StudyRecipes.tensorTransforms(e.input().normalize(), e.augmentSteps(), train.c());
        if (tensorSteps.length > 0) {
            b.tensorTransforms(tensorSteps);
        }
        Tensor weights = null;
        double[] w = StudyRecipes.classWeights(e.loss().classWeights(), data.classCounts(train));
        if (w != null) {
            try (MemoryScope p = MemoryScope.persistent()) {
                weights = Tensor.of(DType.F32, device, w, data.numClasses());
            }
        }
        List<Point> pts = new ArrayList<>();
        double avg = 0;
        double best = Double.POSITIVE_INFINITY;
        boolean diverged = false;
        try (DataLoader loader = b.build()) {
            int n = loader.batchesPerEpoch();
            int i = 0;
            for (Batch batch : loader.epoch(0)) {
                try (batch; MemoryScope step = MemoryScope.open()) {
                    double lr = lrAt(i, n, minLr, maxLr);
                    for (ParamGroup g : opt.paramGroups()) {
                        g.setLr(lr);
                    }
                    Tensor logits = model.forward(batch.images());
                    int masks = logits.shape()[0] / batch.labels().length;
                    Tensor loss = Functional.crossEntropy(logits, ClinicalTraining.tile(batch.labels(), masks), weights,
                            e.loss().labelSmoothing(), Reduction.MEAN);
                    opt.zeroGrad();
                    loss.backward();
                    if (e.clipGradNorm() != null) {
                        GradClipping.clipGradNorm(model.trainableParameters(), e.clipGradNorm());
                    }
                    opt.step();
                    double l = loss.item();
                    avg = BETA * avg + (1 - BETA) * l;
                    double smoothed = avg / (1 - Math.pow(BETA, i + 1));
                    pts.add(new Point(lr, l, smoothed));
                    i++;
                    if (!Double.isFinite(l) || smoothed > 4 * best) {
                        diverged = true;
                        log.printf("  stopped at lr %.3g: the smoothed loss %.4g exceeds 4x its minimum %.4g%n", lr, smoothed, best);
                        break;
                    }
                    best = Math.min(best, smoothed);
                }
            }
        }
        double minimumLr = pts.stream().filter(p -> Double.isFinite(p.smoothed()))
                .min(java.util.Comparator.comparingDouble(Point::smoothed)).map(Point::lr).orElse(Double.NaN);
        return new Result(List.copyOf(pts), suggest(pts), minimumLr, diverged);
    }

    /** Writes {@code lr-find-<id>.csv} (step, lr, loss, smoothed) and {@code lr-find-<id>.png} into {@code dir}. */
    public static List<Path> write(Result r, String id, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("step,lr,loss,smoothed_loss\n");
        for (int i = 0; i < r.points().size(); i++) {
            Point p = r.points().get(i);
            csv.append(i).append(',').append(p.lr()).append(',').append(p.loss()).append(',').append(p.smoothed()).append('\n');
        }
        Path c = dir.resolve("lr-find-" + id + ".csv");
        Files.writeString(c, csv, StandardCharsets.UTF_8);
        XYChart chart = new XYChartBuilder().width(640).height(420).title("LR range test: " + id)
                .xAxisTitle("learning rate (log)").yAxisTitle("training loss").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        List<Double> x = r.points().stream().map(Point::lr).toList();
        chart.addSeries("loss", x, r.points().stream().map(Point::loss).toList()).setMarker(SeriesMarkers.NONE)
                .setLineColor(java.awt.Color.LIGHT_GRAY);
        chart.addSeries("smoothed", x, r.points().stream().map(Point::smoothed).toList()).setMarker(SeriesMarkers.NONE);
        double sy = r.points().stream().filter(p -> p.lr() == r.suggested()).findFirst().map(Point::smoothed).orElse(Double.NaN);
        if (Double.isFinite(sy)) {
            XYSeries s = chart.addSeries(String.format("suggested %.2g", r.suggested()), new double[] {r.suggested()}, new double[] {sy});
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.DIAMOND).setMarkerColor(java.awt.Color.RED);
        }
        Path png = dir.resolve("lr-find-" + id + ".png");
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return List.of(c, png);
    }
}
