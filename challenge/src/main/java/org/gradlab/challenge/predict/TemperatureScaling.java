package org.gradlab.challenge.predict;

/**
 * Temperature scaling (Guo et al. 2017): one scalar T > 0 divides the logits, softmax(z / T), fitted on the
 * validation split to minimise its negative log-likelihood. T > 1 softens an over-confident model, T < 1 sharpens an
 * under-confident one; the argmax, and so accuracy and every per-class ranking (AUC), never change.
 *
 * <p>The logits are recovered from probabilities as z = log p (softmax is invariant to a per-row constant, so this
 * loses nothing but probabilities below 1e−12, which are clipped). NLL(1/T) is convex in the inverse temperature
 * β = 1/T (a log-sum-exp of lines in β minus a line), so a golden-section search over β in [1/20, 20] finds its
 * minimum; 200 iterations narrow the bracket far below double precision.
 */
public final class TemperatureScaling {
    /** The inverse-temperature search range: T is found in [1/20, 20]. */
    public static final double MIN_BETA = 1.0 / 20;
    public static final double MAX_BETA = 20;

    private TemperatureScaling() {}

    /** The temperature minimising the NLL of {@code probs} against {@code labels}. */
    public static double fit(double[][] probs, int[] labels) {
        if (probs.length == 0) {
            throw new IllegalArgumentException("temperature scaling needs at least one validation sample");
        }
        double[][] z = logits(probs);
        double phi = (Math.sqrt(5) - 1) / 2;
        double a = MIN_BETA;
        double b = MAX_BETA;
        double c = b - phi * (b - a);
        double d = a + phi * (b - a);
        double fc = nll(z, labels, c);
        double fd = nll(z, labels, d);
        for (int it = 0; it < 200 && b - a > 1e-12; it++) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - phi * (b - a);
                fc = nll(z, labels, c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + phi * (b - a);
                fd = nll(z, labels, d);
            }
        }
        return 2 / (a + b);
    }

    /** softmax(log p / T) row by row. */
    public static double[][] apply(double[][] probs, double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        double[][] z = logits(probs);
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            out[i] = softmax(z[i], 1 / temperature);
        }
        return out;
    }

    static double nll(double[][] z, int[] labels, double beta) {
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                max = Math.max(max, beta * v);
            }
            double s = 0;
            for (double v : z[i]) {
                s += Math.exp(beta * v - max);
            }
            sum += max + Math.log(s) - beta * z[i][labels[i]];
        }
        return sum / z.length;
    }

    private static double[][] logits(double[][] probs) {
        double[][] z = new double[probs.length][];
        for (int i = 0; i < probs.length; i++) {
            z[i] = new double[probs[i].length];
            for (int c = 0; c < z[i].length; c++) {
                z[i][c] = Math.log(Math.max(probs[i][c], 1e-12));
            }
        }
        return z;
    }

    private static double[] softmax(double[] z, double beta) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, beta * v);
        }
        double[] p = new double[z.length];
        double s = 0;
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(beta * z[c] - max);
            s += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= s;
        }
        return p;
    }
}
