package org.gradlab.challenge.predict;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How far predicted probabilities are from observed frequencies.
 * <ul>
 *   <li>Brier score: mean over samples of sum over classes (p_ic − y_ic)², y one-hot; 0 is perfect, 2 the worst.
 *       NOTE: this is the multi-class form; for two classes it is twice the binary (p₁ − y)² some tools report.</li>
 *   <li>Reliability: the samples binned by their top-class confidence max_c p_ic into equal-width bins of [0, 1];
 *       per bin the mean confidence against the accuracy. A calibrated model lies on the diagonal. The expected
 *       calibration error ECE = sum over bins (n_b / n) |accuracy_b − confidence_b|.</li>
 *   <li>NLL: mean −log p_i,y_i (clipped at 1e−12).</li>
 * </ul>
 */
public final class Calibration {
    private Calibration() {}

    /** Reliability bins: {@code count[b]}, {@code confidence[b]} (mean) and {@code accuracy[b]}; NaN for empty bins. */
    public record Reliability(@JsonProperty("count") int[] count, @JsonProperty("confidence") double[] confidence,
                              @JsonProperty("accuracy") double[] accuracy, @JsonProperty("ece") double ece) {}

    /** Brier, NLL and reliability of one split, before and (with temperature scaling) after. */
    public record Scores(@JsonProperty("brier") double brier, @JsonProperty("nll") double nll,
                         @JsonProperty("ece") double ece, @JsonProperty("reliability") Reliability reliability) {
        public static Scores of(double[][] probs, int[] labels) {
            Reliability r = Calibration.reliability(probs, labels, 10);
            return new Scores(Calibration.brier(probs, labels), Calibration.nll(probs, labels), r.ece(), r);
        }
    }

    public static double brier(double[][] probs, int[] labels) {
        double sum = 0;
        for (int i = 0; i < probs.length; i++) {
            for (int c = 0; c < probs[i].length; c++) {
                double d = probs[i][c] - (labels[i] == c ? 1 : 0);
                sum += d * d;
            }
        }
        return sum / Math.max(1, probs.length);
    }

    public static double nll(double[][] probs, int[] labels) {
        double sum = 0;
        for (int i = 0; i < probs.length; i++) {
            sum -= Math.log(Math.max(probs[i][labels[i]], 1e-12));
        }
        return sum / Math.max(1, probs.length);
    }

    /** Top-class reliability over {@code bins} equal-width bins; confidence 1.0 falls in the last bin. */
    public static Reliability reliability(double[][] probs, int[] labels, int bins) {
        int[] count = new int[bins];
        double[] conf = new double[bins];
        double[] acc = new double[bins];
        for (int i = 0; i < probs.length; i++) {
            int arg = 0;
            for (int c = 1; c < probs[i].length; c++) {
                if (probs[i][c] > probs[i][arg]) {
                    arg = c;
                }
            }
            double p = probs[i][arg];
            int b = Math.min(bins - 1, (int) Math.floor(p * bins));
            count[b]++;
            conf[b] += p;
            acc[b] += arg == labels[i] ? 1 : 0;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] == 0) {
                conf[b] = Double.NaN;
                acc[b] = Double.NaN;
            } else {
                conf[b] /= count[b];
                acc[b] /= count[b];
                ece += (double) count[b] / probs.length * Math.abs(acc[b] - conf[b]);
            }
        }
        return new Reliability(count, conf, acc, ece);
    }
}
