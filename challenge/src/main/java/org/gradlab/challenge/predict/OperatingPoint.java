package org.gradlab.challenge.predict;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.gradlab.challenge.metrics.Bootstrap;

/**
 * A clinical operating point: the decision "flag class c when its probability is at least t", with t chosen on the
 * validation split so that at least {@code target_recall} of that class's cases are flagged. AUC does not depend on
 * t; the decision does. At t: recall (sensitivity) = TP / (TP + FN), specificity = TN / (TN + FP),
 * precision = TP / (TP + FP), each with a percentile-bootstrap 95 % interval.
 */
public final class OperatingPoint {
    private OperatingPoint() {}

    /** One split's counts and rates at a threshold, with intervals ({lower, upper}). */
    public record Rates(@JsonProperty("threshold") double threshold, @JsonProperty("tp") int tp, @JsonProperty("fp") int fp,
                        @JsonProperty("tn") int tn, @JsonProperty("fn") int fn, @JsonProperty("recall") double recall,
                        @JsonProperty("specificity") double specificity, @JsonProperty("precision") double precision,
                        @JsonProperty("recall_ci") double[] recallCi, @JsonProperty("specificity_ci") double[] specificityCi,
                        @JsonProperty("precision_ci") double[] precisionCi) {}

    /** The operating point of one experiment: chosen on validation, applied to validation and test. */
    public record Result(@JsonProperty("class") String className, @JsonProperty("class_index") int classIndex,
                         @JsonProperty("target_recall") double targetRecall, @JsonProperty("threshold") double threshold,
                         @JsonProperty("val") Rates val, @JsonProperty("test") Rates test) {}

    /**
     * The largest threshold t whose recall on ({@code scores}, {@code positive}) is at least {@code targetRecall}:
     * with P positives, k = ceil(target × P) of them must be flagged, so t is the k-th largest positive score (ties
     * above it flag more, never fewer). Largest, because a higher threshold flags fewer negatives.
     */
    public static double threshold(double[] scores, boolean[] positive, double targetRecall) {
        if (!(targetRecall > 0 && targetRecall <= 1)) {
            throw new IllegalArgumentException("target recall must be in (0, 1], got " + targetRecall);
        }
        double[] pos = new double[count(positive)];
        if (pos.length == 0) {
            throw new IllegalArgumentException("no positive samples: no threshold reaches a recall");
        }
        for (int i = 0, j = 0; i < scores.length; i++) {
            if (positive[i]) {
                pos[j++] = scores[i];
            }
        }
        Arrays.sort(pos);
        int k = (int) Math.ceil(targetRecall * pos.length - 1e-9);
        return pos[pos.length - Math.max(1, k)];
    }

    /** Counts and rates at threshold {@code t}; intervals from {@code bootstrap} (null: none). */
    public static Rates at(double[] scores, boolean[] positive, double t, Bootstrap bootstrap) {
        int[] all = new int[scores.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        int[] c = counts(scores, positive, t, all);
        double[] rc = null;
        double[] sc = null;
        double[] pc = null;
        if (bootstrap != null) {
            rc = ci(bootstrap.interval(scores.length, idx -> rate(counts(scores, positive, t, idx), 0)));
            sc = ci(bootstrap.interval(scores.length, idx -> rate(counts(scores, positive, t, idx), 1)));
            pc = ci(bootstrap.interval(scores.length, idx -> rate(counts(scores, positive, t, idx), 2)));
        }
        return new Rates(t, c[0], c[1], c[2], c[3], rate(c, 0), rate(c, 1), rate(c, 2), rc, sc, pc);
    }

    /**
     * Chooses the threshold on validation for class {@code cls} and applies it to both splits.
     *
     * @param valProbs  validation scores (sample × class); @param testProbs test scores, or null
     */
    public static Result choose(String className, int cls, double target, double[][] valProbs, int[] valLabels,
                                double[][] testProbs, int[] testLabels, long seed) {
        double[] vs = column(valProbs, cls);
        boolean[] vp = isClass(valLabels, cls);
        double t = threshold(vs, vp, target);
        Rates val = at(vs, vp, t, new Bootstrap(seed));
        Rates test = testProbs == null ? null : at(column(testProbs, cls), isClass(testLabels, cls), t, new Bootstrap(seed + 1));
        return new Result(className, cls, target, t, val, test);
    }

    /** A fixed threshold (e.g. the "or" rule's 1) applied to both splits. */
    public static Result fixed(String className, int cls, double target, double t, double[][] valProbs, int[] valLabels,
                               double[][] testProbs, int[] testLabels, long seed) {
        Rates val = at(column(valProbs, cls), isClass(valLabels, cls), t, new Bootstrap(seed));
        Rates test = at(column(testProbs, cls), isClass(testLabels, cls), t, new Bootstrap(seed + 1));
        return new Result(className, cls, target, t, val, test);
    }

    public static double[] column(double[][] probs, int cls) {
        double[] s = new double[probs.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = probs[i][cls];
        }
        return s;
    }

    public static boolean[] isClass(int[] labels, int cls) {
        boolean[] p = new boolean[labels.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = labels[i] == cls;
        }
        return p;
    }

    /** {tp, fp, tn, fn} over the samples {@code idx}. */
    private static int[] counts(double[] s, boolean[] pos, double t, int[] idx) {
        int[] c = new int[4];
        for (int i : idx) {
            boolean flag = s[i] >= t;
            c[pos[i] ? (flag ? 0 : 3) : (flag ? 1 : 2)]++;
        }
        return c;
    }

    /** 0 recall, 1 specificity, 2 precision; NaN when undefined. */
    private static double rate(int[] c, int which) {
        int num = which == 0 ? c[0] : which == 1 ? c[2] : c[0];
        int den = which == 0 ? c[0] + c[3] : which == 1 ? c[2] + c[1] : c[0] + c[1];
        return den == 0 ? Double.NaN : (double) num / den;
    }

    private static double[] ci(Bootstrap.Interval i) {
        return new double[] {i.lower(), i.upper()};
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }
}
