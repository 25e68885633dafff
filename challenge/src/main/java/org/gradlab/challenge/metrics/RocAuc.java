package org.gradlab.challenge.metrics;

import java.util.Arrays;

/**
 * Area under the ROC curve with the same values as scikit-learn's {@code roc_auc_score}.
 *
 * <p>For P positive scores p_i and N negative scores n_j,
 * <pre>  AUC = (1 / (P N)) * sum_i sum_j [ 1(p_i &gt; n_j) + 1/2 * 1(p_i = n_j) ]</pre>
 * which equals sklearn's trapezoidal area under the ROC curve built over distinct thresholds
 * (tied scores form one ROC step, whose trapezoid counts each tied pair as 1/2), i.e. the
 * Mann-Whitney U statistic divided by P N.
 *
 * <p>NOTE: the sum is computed exactly (counts of halves), so results can differ from sklearn's
 * floating-point trapezoids only in the last bits.
 */
public final class RocAuc {
    private RocAuc() {
    }

    /**
     * Binary AUC.
     *
     * @param scores   higher = more likely positive; no NaN
     * @param positive true for the positive class
     * @throws IllegalArgumentException if only one class is present (undefined, as in sklearn)
     */
    public static double binary(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
        }
        int p = 0;
        for (boolean b : positive) if (b) p++;
        int n = scores.length - p;
        if (p == 0 || n == 0) {
            throw new IllegalArgumentException("ROC AUC is undefined: only one class present in labels ("
                    + (p == 0 ? "no positives" : "no negatives") + " among " + scores.length + " samples)");
        }
        double[] pos = new double[p];
        double[] neg = new double[n];
        for (int i = 0, a = 0, b = 0; i < scores.length; i++) {
            if (Double.isNaN(scores[i])) throw new IllegalArgumentException("score " + i + " is NaN");
            if (positive[i]) pos[a++] = scores[i]; else neg[b++] = scores[i];
        }
        Arrays.sort(pos);
        Arrays.sort(neg);
        // twice U: 2 per negative strictly below, 1 per tied negative (keeps the sum an exact integer)
        long twiceU = 0;
        int lt = 0;
        int le = 0;
        for (double s : pos) {
            while (lt < n && neg[lt] < s) lt++;
            if (le < lt) le = lt;
            while (le < n && neg[le] <= s) le++;
            twiceU += 2L * lt + (le - lt);
        }
        return twiceU / (2.0 * p * n);
    }

    /** Binary AUC with 0/1 labels (1 = positive). */
    public static double binary(double[] scores, int[] labels01) {
        boolean[] pos = new boolean[labels01.length];
        for (int i = 0; i < labels01.length; i++) {
            if (labels01[i] != 0 && labels01[i] != 1) {
                throw new IllegalArgumentException("binary labels must be 0 or 1, label " + i + " is " + labels01[i]);
            }
            pos[i] = labels01[i] == 1;
        }
        return binary(scores, pos);
    }

    /**
     * One-vs-rest AUC of every class: entry c is {@code binary(probs[:,c], labels == c)}.
     *
     * @throws IllegalArgumentException naming the class if a class is absent from {@code labels}
     */
    public static double[] perClass(double[][] probs, int[] labels, int numClasses) {
        checkShapes(probs, labels, numClasses);
        int[] counts = new int[numClasses];
        for (int l : labels) counts[l]++;
        double[] auc = new double[numClasses];
        double[] col = new double[labels.length];
        boolean[] pos = new boolean[labels.length];
        for (int c = 0; c < numClasses; c++) {
            if (counts[c] == 0 || counts[c] == labels.length) {
                throw new IllegalArgumentException("one-vs-rest ROC AUC is undefined for class " + c + ": it has "
                        + counts[c] + " of " + labels.length + " samples (every class must be present, and not alone)");
            }
            for (int i = 0; i < labels.length; i++) {
                col[i] = probs[i][c];
                pos[i] = labels[i] == c;
            }
            auc[c] = binary(col, pos);
        }
        return auc;
    }

    /**
     * sklearn {@code roc_auc_score(labels, probs, multi_class='ovr', average='macro')}: the unweighted
     * mean of {@link #perClass}.
     *
     * <p>NOTE: like sklearn, rows of {@code probs} must sum to 1 (within rtol 1e-5, atol 1e-8);
     * pass softmax outputs, not logits.
     */
    public static double macroOvr(double[][] probs, int[] labels, int numClasses) {
        checkShapes(probs, labels, numClasses);
        for (int i = 0; i < probs.length; i++) {
            double s = 0;
            for (double v : probs[i]) s += v;
            if (!(Math.abs(s - 1.0) <= 1e-8 + 1e-5)) {
                throw new IllegalArgumentException("multiclass ROC AUC needs probabilities: row " + i
                        + " of probs sums to " + s + ", expected 1");
            }
        }
        double sum = 0;
        for (double a : perClass(probs, labels, numClasses)) sum += a;
        return sum / numClasses;
    }

    static void checkShapes(double[][] probs, int[] labels, int numClasses) {
        if (probs.length != labels.length) {
            throw new IllegalArgumentException(probs.length + " rows of probs but " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (probs[i].length != numClasses) {
                throw new IllegalArgumentException("probs row " + i + " has " + probs[i].length
                        + " columns, expected numClasses = " + numClasses);
            }
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", expected 0.." + (numClasses - 1));
            }
        }
    }
}
