package org.gradlab.challenge.predict;

import java.util.Arrays;
import java.util.List;

/**
 * Ways to combine the per-class scores of several models on the same samples (member × sample × class):
 * <ul>
 *   <li>{@link #mean}: the mean probability (the silver medal's 4-model ensemble, fold averaging, TTA);</li>
 *   <li>{@link #rankAverage}: every member's column of class c replaced by its normalised ranks, then averaged
 *       (the winners' 18-model ensemble: "does not overweight confident models");</li>
 *   <li>{@link #orRule}: flag class c when any member flags it at its own operating point (the write-up's
 *       suggestion for deployment: a melanoma missed by one model may be caught by another).</li>
 * </ul>
 */
public final class Ensembles {
    /** The combination rules a study may name. */
    public static final List<String> METHODS = List.of("mean", "rank", "or");

    private Ensembles() {}

    /** out[i][c] = mean over members m of scores[m][i][c]. */
    public static double[][] mean(List<double[][]> members) {
        check(members);
        int n = members.get(0).length;
        int k = members.get(0)[0].length;
        double[][] out = new double[n][k];
        for (double[][] m : members) {
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < k; c++) {
                    out[i][c] += m[i][c] / members.size();
                }
            }
        }
        return out;
    }

    /**
     * Rank average: for every member and class, the scores of the n samples become (rank − 1) / (n − 1), rank 1 the
     * lowest and ties sharing their mean rank (scipy's rankdata "average"); then the mean over members. Per class the
     * result orders the samples as a vote of the members' orderings; the rows are scores, not probabilities (they do
     * not sum to 1), so a loss or calibration of them means nothing.
     */
    public static double[][] rankAverage(List<double[][]> members) {
        check(members);
        int n = members.get(0).length;
        int k = members.get(0)[0].length;
        double[][] out = new double[n][k];
        double[] column = new double[n];
        for (double[][] m : members) {
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < n; i++) {
                    column[i] = m[i][c];
                }
                double[] r = ranks(column);
                for (int i = 0; i < n; i++) {
                    out[i][c] += (n == 1 ? 0.5 : (r[i] - 1) / (n - 1)) / members.size();
                }
            }
        }
        return out;
    }

    /** 1-based ranks, ties given the mean of the ranks they span. */
    static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[n];
        for (int s = 0; s < n; ) {
            int e = s;
            while (e + 1 < n && v[order[e + 1]] == v[order[s]]) {
                e++;
            }
            double mean = (s + e) / 2.0 + 1;
            for (int j = s; j <= e; j++) {
                r[order[j]] = mean;
            }
            s = e + 1;
        }
        return r;
    }

    /** Whether any member flags class {@code cls}: scores[m][i][cls] >= thresholds[m]. */
    public static boolean[] orFlags(List<double[][]> members, int cls, double[] thresholds) {
        double[][] s = orRule(members, cls, thresholds);
        boolean[] out = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i][cls] >= 1;
        }
        return out;
    }

    /**
     * The "or" rule as scores: column {@code cls} is max over members of scores[m][i][cls] / thresholds[m], so it is
     * >= 1 exactly when some member flags the sample at its own threshold (the rule's operating point is 1); the
     * other columns are the mean probability. Column {@code cls} still orders the samples, so its AUC is defined.
     */
    public static double[][] orRule(List<double[][]> members, int cls, double[] thresholds) {
        check(members);
        if (thresholds.length != members.size()) {
            throw new IllegalArgumentException("or rule: " + thresholds.length + " thresholds for " + members.size() + " members");
        }
        double[][] out = mean(members);
        for (int i = 0; i < out.length; i++) {
            double best = 0;
            for (int m = 0; m < members.size(); m++) {
                if (!(thresholds[m] > 0)) {
                    throw new IllegalArgumentException("or rule: member " + m + " has threshold " + thresholds[m]
                            + ": expected a positive probability");
                }
                best = Math.max(best, members.get(m)[i][cls] / thresholds[m]);
            }
            out[i][cls] = best;
        }
        return out;
    }

    private static void check(List<double[][]> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one member");
        }
        int n = members.get(0).length;
        int k = n == 0 ? 0 : members.get(0)[0].length;
        for (int m = 0; m < members.size(); m++) {
            double[][] s = members.get(m);
            if (s.length != n || (n > 0 && s[0].length != k)) {
                throw new IllegalArgumentException("ensemble member " + m + " scores " + s.length + " samples x "
                        + (s.length == 0 ? 0 : s[0].length) + " classes, member 0 " + n + " x " + k);
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("an ensemble needs at least one sample");
        }
    }
}
