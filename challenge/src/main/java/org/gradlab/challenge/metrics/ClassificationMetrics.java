package org.gradlab.challenge.metrics;

/**
 * Classification metrics from predicted class probabilities and true labels.
 *
 * <ul>
 *   <li>prediction = argmax of the row; NOTE: ties go to the lowest class index (first maximum).</li>
 *   <li>confusion[t][p] = number of samples with true class t predicted as p.</li>
 *   <li>recall_c = confusion[c][c] / sum_p confusion[c][p]; NaN for a class absent from labels.</li>
 *   <li>balanced accuracy = mean of recall_c over the classes present in labels (as sklearn).</li>
 *   <li>AUC_c = one-vs-rest ROC AUC ({@link RocAuc}); macro AUC = mean over classes.
 *       NOTE: where a class is absent (AUC undefined) its AUC and the macro AUC are NaN rather than
 *       an exception, so metrics of small subsets can still be reported; use
 *       {@link RocAuc#macroOvr} for sklearn's strict behaviour.</li>
 *   <li>melanoma recall = recall of {@link ClinicalClasses#melanoma()}; cancer sensitivity = mean
 *       recall of the cancer classes present; cancer-as-any-cancer = share of cancer images whose
 *       prediction is any cancer class.</li>
 * </ul>
 */
public final class ClassificationMetrics {
    private final int n;
    private final int[] predictions;
    private final int[][] confusion;
    private final double accuracy;
    private final double balancedAccuracy;
    private final double[] recall;
    private final double[] auc;
    private final double macroAuc;
    private final double melanomaRecall;
    private final double cancerSensitivity;
    private final double cancerAsAnyCancer;

    private ClassificationMetrics(double[][] probs, int[] labels, int k, ClinicalClasses cc) {
        RocAuc.checkShapes(probs, labels, k);
        if (cc != null && (cc.melanoma() < 0 || cc.melanoma() >= k || java.util.Arrays.stream(cc.cancers()).anyMatch(c -> c < 0 || c >= k))) {
            throw new IllegalArgumentException("clinical classes " + cc.melanoma() + " / "
                    + java.util.Arrays.toString(cc.cancers()) + " out of range for " + k + " classes");
        }
        n = labels.length;
        predictions = argmax(probs);
        confusion = new int[k][k];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            confusion[labels[i]][predictions[i]]++;
            if (labels[i] == predictions[i]) correct++;
        }
        accuracy = n == 0 ? Double.NaN : (double) correct / n;
        recall = new double[k];
        double recallSum = 0;
        int present = 0;
        int[] counts = new int[k];
        for (int c = 0; c < k; c++) {
            for (int p = 0; p < k; p++) counts[c] += confusion[c][p];
            recall[c] = counts[c] == 0 ? Double.NaN : (double) confusion[c][c] / counts[c];
            if (counts[c] > 0) {
                recallSum += recall[c];
                present++;
            }
        }
        balancedAccuracy = present == 0 ? Double.NaN : recallSum / present;
        auc = new double[k];
        double aucSum = 0;
        double[] col = new double[n];
        boolean[] pos = new boolean[n];
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0 || counts[c] == n) {
                auc[c] = Double.NaN;
            } else {
                for (int i = 0; i < n; i++) {
                    col[i] = probs[i][c];
                    pos[i] = labels[i] == c;
                }
                auc[c] = RocAuc.binary(col, pos);
            }
            aucSum += auc[c];
        }
        macroAuc = aucSum / k;
        if (cc == null) { // a dataset without clinical classes
            melanomaRecall = Double.NaN;
            cancerSensitivity = Double.NaN;
            cancerAsAnyCancer = Double.NaN;
            return;
        }
        melanomaRecall = recall[cc.melanoma()];
        double cs = 0;
        int csN = 0;
        int cancerImages = 0;
        int cancerAsCancer = 0;
        for (int c : cc.cancers()) {
            if (counts[c] > 0) {
                cs += recall[c];
                csN++;
            }
        }
        for (int i = 0; i < n; i++) {
            if (cc.isCancer(labels[i])) {
                cancerImages++;
                if (cc.isCancer(predictions[i])) cancerAsCancer++;
            }
        }
        cancerSensitivity = csN == 0 ? Double.NaN : cs / csN;
        cancerAsAnyCancer = cancerImages == 0 ? Double.NaN : (double) cancerAsCancer / cancerImages;
    }

    /** Metrics with the DermaMNIST clinical classes. */
    public static ClassificationMetrics compute(double[][] probs, int[] labels, int numClasses) {
        return compute(probs, labels, numClasses, ClinicalClasses.DERMAMNIST);
    }

    /** @param cc the clinical classes, or null for a dataset without them (the clinical metrics are then NaN) */
    public static ClassificationMetrics compute(double[][] probs, int[] labels, int numClasses, ClinicalClasses cc) {
        return new ClassificationMetrics(probs, labels, numClasses, cc);
    }

    /** Row-wise argmax; the first maximum wins ties. NaN entries are rejected. */
    public static int[] argmax(double[][] probs) {
        int[] out = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            int best = 0;
            for (int c = 0; c < probs[i].length; c++) {
                if (Double.isNaN(probs[i][c])) throw new IllegalArgumentException("probs[" + i + "][" + c + "] is NaN");
                if (probs[i][c] > probs[i][best]) best = c;
            }
            out[i] = best;
        }
        return out;
    }

    public int n() {
        return n;
    }

    public int[] predictions() {
        return predictions.clone();
    }

    /** Rows = true class, columns = predicted class. */
    public int[][] confusion() {
        int[][] c = new int[confusion.length][];
        for (int i = 0; i < c.length; i++) c[i] = confusion[i].clone();
        return c;
    }

    public double accuracy() {
        return accuracy;
    }

    public double balancedAccuracy() {
        return balancedAccuracy;
    }

    public double[] recall() {
        return recall.clone();
    }

    public double[] auc() {
        return auc.clone();
    }

    public double macroAuc() {
        return macroAuc;
    }

    public double melanomaRecall() {
        return melanomaRecall;
    }

    public double cancerSensitivity() {
        return cancerSensitivity;
    }

    public double cancerAsAnyCancer() {
        return cancerAsAnyCancer;
    }
}
