package org.gradlab.challenge.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Arrays;

/**
 * Evaluation metrics of one model on one data split (validation or test) of DermaMNIST.
 *
 * <p>Class order follows MedMNIST: 0 akiec, 1 bcc, 2 bkl, 3 df, 4 mel, 5 nv, 6 vasc
 * (see {@link Classes}). Undefined metrics (for example the AUC of a class absent from the split)
 * are {@link Double#NaN}; in JSON they are written as the string {@code "NaN"}.
 *
 * @param auc                macro one-vs-rest ROC AUC over the 7 classes
 * @param accuracy           top-1 accuracy
 * @param balancedAccuracy   mean per-class recall
 * @param melanomaRecall     recall of class 4 (mel)
 * @param cancerSensitivity  mean recall of the cancer classes akiec, bcc, mel (the published definition)
 * @param cancerAsAnyCancer  share of cancer images predicted as any cancer class
 * @param perClassRecall     recall per class, length 7
 * @param perClassAuc        one-vs-rest AUC per class, length 7
 * @param confusion          confusion matrix, rows = true class, columns = predicted class
 * @param aucCi95            optional bootstrap 95% interval of {@code auc}, {@code [lo, hi]}, or null
 * @param melanomaRecallCi95 optional bootstrap 95% interval of {@code melanomaRecall}, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SplitMetrics(
        @JsonProperty("auc") double auc,
        @JsonProperty("accuracy") double accuracy,
        @JsonProperty("balanced_accuracy") double balancedAccuracy,
        @JsonProperty("melanoma_recall") double melanomaRecall,
        @JsonProperty("cancer_sensitivity") double cancerSensitivity,
        @JsonProperty("cancer_as_any_cancer") double cancerAsAnyCancer,
        @JsonProperty("per_class_recall") double[] perClassRecall,
        @JsonProperty("per_class_auc") double[] perClassAuc,
        @JsonProperty("confusion") int[][] confusion,
        @JsonProperty("auc_ci95") double[] aucCi95,
        @JsonProperty("melanoma_recall_ci95") double[] melanomaRecallCi95) {

    /** Validates array shapes. */
    public SplitMetrics {
        requireLength("per_class_recall", perClassRecall, Classes.COUNT);
        requireLength("per_class_auc", perClassAuc, Classes.COUNT);
        if (confusion != null) {
            if (confusion.length != Classes.COUNT) {
                throw new IllegalArgumentException("confusion must have " + Classes.COUNT + " rows, got " + confusion.length);
            }
            for (int[] row : confusion) {
                if (row == null || row.length != Classes.COUNT) {
                    throw new IllegalArgumentException("every confusion row must have " + Classes.COUNT + " columns");
                }
            }
        }
        requireInterval("auc_ci95", aucCi95);
        requireInterval("melanoma_recall_ci95", melanomaRecallCi95);
    }

    /** Metrics without bootstrap intervals. */
    public SplitMetrics(double auc, double accuracy, double balancedAccuracy, double melanomaRecall,
                        double cancerSensitivity, double cancerAsAnyCancer, double[] perClassRecall,
                        double[] perClassAuc, int[][] confusion) {
        this(auc, accuracy, balancedAccuracy, melanomaRecall, cancerSensitivity, cancerAsAnyCancer,
                perClassRecall, perClassAuc, confusion, null, null);
    }

    /** Returns a copy with the given bootstrap intervals (either may be null). */
    public SplitMetrics withIntervals(double[] aucCi, double[] melanomaRecallCi) {
        return new SplitMetrics(auc, accuracy, balancedAccuracy, melanomaRecall, cancerSensitivity,
                cancerAsAnyCancer, perClassRecall, perClassAuc, confusion, aucCi, melanomaRecallCi);
    }

    private static void requireLength(String name, double[] values, int length) {
        if (values == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        if (values.length != length) {
            throw new IllegalArgumentException(name + " must have " + length + " entries, got " + values.length);
        }
    }

    private static void requireInterval(String name, double[] ci) {
        if (ci != null && ci.length != 2) {
            throw new IllegalArgumentException(name + " must be [lo, hi], got " + Arrays.toString(ci));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SplitMetrics m
                && Double.compare(auc, m.auc) == 0
                && Double.compare(accuracy, m.accuracy) == 0
                && Double.compare(balancedAccuracy, m.balancedAccuracy) == 0
                && Double.compare(melanomaRecall, m.melanomaRecall) == 0
                && Double.compare(cancerSensitivity, m.cancerSensitivity) == 0
                && Double.compare(cancerAsAnyCancer, m.cancerAsAnyCancer) == 0
                && Arrays.equals(perClassRecall, m.perClassRecall)
                && Arrays.equals(perClassAuc, m.perClassAuc)
                && Arrays.deepEquals(confusion, m.confusion)
                && Arrays.equals(aucCi95, m.aucCi95)
                && Arrays.equals(melanomaRecallCi95, m.melanomaRecallCi95);
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(auc);
        h = 31 * h + Double.hashCode(melanomaRecall);
        h = 31 * h + Arrays.hashCode(perClassRecall);
        return 31 * h + Arrays.deepHashCode(confusion);
    }

    @Override
    public String toString() {
        return "SplitMetrics[auc=" + auc + ", accuracy=" + accuracy + ", melanomaRecall=" + melanomaRecall
                + ", cancerSensitivity=" + cancerSensitivity + ", perClassRecall=" + Arrays.toString(perClassRecall) + "]";
    }
}
