package org.gradlab.challenge.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Seeded percentile bootstrap confidence intervals.
 *
 * <p>Each resample draws n sample indices uniformly with replacement (SplittableRandom seeded once
 * per call, so results are reproducible). The statistic is computed on every resample; resamples
 * where it is undefined (NaN, e.g. a class absent for AUC) are skipped. The interval is the
 * [alpha/2, 1 - alpha/2] percentiles of the kept values, with NumPy's default linear interpolation:
 * for sorted values v_0..v_{m-1} and q in [0,1], position h = q (m-1),
 * value = v_floor(h) + (h - floor(h)) (v_ceil(h) - v_floor(h)).
 */
public final class Bootstrap {
    /** Point estimate, percentile bounds and the number of resamples that were kept. */
    public record Interval(double point, double lower, double upper, int resamplesUsed) {
        public boolean contains(double v) {
            return lower <= v && v <= upper;
        }
    }

    public static final int DEFAULT_RESAMPLES = 1000;

    private final int resamples;
    private final long seed;
    private final double level;

    /** 1000 resamples, 95% intervals. */
    public Bootstrap(long seed) {
        this(DEFAULT_RESAMPLES, seed, 0.95);
    }

    public Bootstrap(int resamples, long seed, double level) {
        if (resamples < 1 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException("need resamples >= 1 and 0 < level < 1, got " + resamples + ", " + level);
        }
        this.resamples = resamples;
        this.seed = seed;
        this.level = level;
    }

    /** Interval for the one-vs-rest macro AUC (see {@link ClassificationMetrics#macroAuc()}). */
    public Interval macroAuc(double[][] probs, int[] labels, int numClasses) {
        RocAuc.checkShapes(probs, labels, numClasses);
        return interval(labels.length, idx -> {
            int[] counts = new int[numClasses];
            for (int i : idx) counts[labels[i]]++;
            for (int c : counts) {
                if (c == 0 || c == idx.length) return Double.NaN; // AUC undefined: skip resample
            }
            double[][] p = new double[idx.length][];
            int[] l = new int[idx.length];
            for (int i = 0; i < idx.length; i++) {
                p[i] = probs[idx[i]];
                l[i] = labels[idx[i]];
            }
            double sum = 0;
            for (double a : RocAuc.perClass(p, l, numClasses)) sum += a;
            return sum / numClasses;
        });
    }

    /** Interval for the recall of class {@code cls}; resamples without that class are skipped. */
    public Interval recall(double[][] probs, int[] labels, int numClasses, int cls) {
        RocAuc.checkShapes(probs, labels, numClasses);
        int[] pred = ClassificationMetrics.argmax(probs);
        return interval(labels.length, idx -> {
            int total = 0;
            int hit = 0;
            for (int i : idx) {
                if (labels[i] == cls) {
                    total++;
                    if (pred[i] == cls) hit++;
                }
            }
            return total == 0 ? Double.NaN : (double) hit / total;
        });
    }

    /** Interval for melanoma recall (class {@code cc.melanoma()}). */
    public Interval melanomaRecall(double[][] probs, int[] labels, int numClasses, ClinicalClasses cc) {
        return recall(probs, labels, numClasses, cc.melanoma());
    }

    /**
     * Generic percentile bootstrap of {@code statistic} over n samples; the statistic receives the
     * resampled indices (the identity 0..n-1 for the point estimate) and returns NaN to skip.
     */
    public Interval interval(int n, ToDoubleFunction<int[]> statistic) {
        int[] identity = new int[n];
        for (int i = 0; i < n; i++) identity[i] = i;
        double point = statistic.applyAsDouble(identity);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] values = new double[resamples];
        int m = 0;
        int[] idx = new int[n];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) idx[i] = rng.nextInt(n);
            double v = statistic.applyAsDouble(idx);
            if (!Double.isNaN(v)) values[m++] = v;
        }
        if (m == 0) return new Interval(point, Double.NaN, Double.NaN, 0);
        double[] kept = Arrays.copyOf(values, m);
        Arrays.sort(kept);
        double alpha = 1 - level;
        return new Interval(point, percentile(kept, alpha / 2), percentile(kept, 1 - alpha / 2), m);
    }

    /** Linear-interpolation percentile of sorted values, {@code q} in [0,1]. */
    static double percentile(double[] sorted, double q) {
        double h = q * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
