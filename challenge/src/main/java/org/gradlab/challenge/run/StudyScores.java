package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.gradlab.challenge.metrics.ClassificationMetrics;
import org.gradlab.challenge.metrics.RocAuc;

/**
 * A model's scores on one split of any dataset. AUC is the macro one-vs-rest AUC, or for a two-class task the AUC
 * of the positive class (class 1, as MedMNIST's evaluator scores it). Binary tasks add sensitivity (recall of class 1),
 * specificity (recall of class 0), the Brier score mean((p1 − y)²) and the ROC curve; they are NaN / null otherwise.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StudyScores(@JsonProperty("auc") double auc, @JsonProperty("accuracy") double accuracy,
                          @JsonProperty("balanced_accuracy") double balancedAccuracy, @JsonProperty("loss") double loss,
                          @JsonProperty("per_class_recall") double[] perClassRecall,
                          @JsonProperty("confusion") int[][] confusion,
                          @JsonProperty("sensitivity") Double sensitivity, @JsonProperty("specificity") Double specificity,
                          @JsonProperty("brier") Double brier, @JsonProperty("roc") double[][] roc) {

    public static StudyScores of(double[][] probs, int[] labels, int classes) {
        ClassificationMetrics m = ClassificationMetrics.compute(probs, labels, classes, null);
        double nll = 0;
        for (int i = 0; i < probs.length; i++) {
            nll -= Math.log(Math.max(probs[i][labels[i]], 1e-12));
        }
        nll /= Math.max(1, probs.length);
        if (classes != 2) {
            return new StudyScores(m.macroAuc(), m.accuracy(), m.balancedAccuracy(), nll, m.recall(), m.confusion(), null,
                    null, null, null);
        }
        double brier = 0;
        for (int i = 0; i < probs.length; i++) {
            double d = probs[i][1] - labels[i];
            brier += d * d;
        }
        return new StudyScores(positiveAuc(probs, labels), m.accuracy(), m.balancedAccuracy(), nll, m.recall(), m.confusion(),
                m.recall()[1], m.recall()[0], brier / Math.max(1, probs.length), roc(probs, labels));
    }

    /** AUC of class 1 against class 0; NaN when a class is absent. */
    public static double positiveAuc(double[][] probs, int[] labels) {
        double[] s = new double[probs.length];
        boolean[] pos = new boolean[probs.length];
        int p = 0;
        for (int i = 0; i < probs.length; i++) {
            s[i] = probs[i][1];
            pos[i] = labels[i] == 1;
            p += pos[i] ? 1 : 0;
        }
        return p == 0 || p == probs.length ? Double.NaN : RocAuc.binary(s, pos);
    }

    /** ROC points {fpr, tpr} for class 1, from (0,0) to (1,1), one per distinct threshold. */
    static double[][] roc(double[][] probs, int[] labels) {
        Integer[] order = new Integer[probs.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> -probs[i][1]));
        int pos = 0;
        for (int l : labels) {
            pos += l == 1 ? 1 : 0;
        }
        int neg = labels.length - pos;
        List<double[]> pts = new ArrayList<>();
        pts.add(new double[] {0, 0});
        int tp = 0;
        int fp = 0;
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            if (labels[i] == 1) {
                tp++;
            } else {
                fp++;
            }
            if (k == order.length - 1 || probs[order[k + 1]][1] != probs[i][1]) {
                pts.add(new double[] {neg == 0 ? 0 : (double) fp / neg, pos == 0 ? 0 : (double) tp / pos});
            }
        }
        return pts.toArray(new double[0][]);
    }
}
