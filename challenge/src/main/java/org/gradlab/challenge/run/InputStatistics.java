package org.gradlab.challenge.run;

import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.report.ChannelStats;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.nn.data.transforms.ToTensor;

/**
 * Accumulates per-channel sums over NCHW image batches and turns them into {@link ChannelStats}: the mean and
 * standard deviation of each channel over every pixel of every image seen.
 */
final class InputStatistics {
    private double[] sum;
    private double[] sumSq;
    private long perChannel;

    /** Adds a batch of shape (N, C, H, W). */
    void add(Tensor images) {
        int[] shape = images.shape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("expected an (N, C, H, W) batch, got rank " + shape.length);
        }
        double[] v;
        try (GradMode ng = GradMode.noGrad()) {
            v = images.toDoubleArray();
        }
        add(v, shape[0], shape[1], shape[2] * shape[3]);
    }

    /** Adds {@code n} CHW images laid out one after another in {@code v}. */
    void add(double[] v, int n, int c, int plane) {
        if (sum == null) {
            sum = new double[c];
            sumSq = new double[c];
        } else if (sum.length != c) {
            throw new IllegalArgumentException("channel count changed from " + sum.length + " to " + c);
        }
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int off = (i * c + ch) * plane;
                double s = 0;
                double sq = 0;
                for (int p = 0; p < plane; p++) {
                    double x = v[off + p];
                    s += x;
                    sq += x * x;
                }
                sum[ch] += s;
                sumSq[ch] += sq;
            }
        }
        perChannel += (long) n * plane;
    }

    /** The statistics so far; null when nothing was added. */
    ChannelStats stats() {
        if (perChannel == 0) {
            return null;
        }
        double[] mean = new double[sum.length];
        double[] std = new double[sum.length];
        for (int ch = 0; ch < sum.length; ch++) {
            mean[ch] = sum[ch] / perChannel;
            std[ch] = Math.sqrt(Math.max(0, sumSq[ch] / perChannel - mean[ch] * mean[ch]));
        }
        return new ChannelStats(mean, std);
    }

    /** Statistics of a split under the evaluation transform (ToTensor only), as {@link Evaluation} feeds it. */
    static ChannelStats ofEvaluationInputs(Split split) {
        InputStatistics s = new InputStatistics();
        int c = split.c();
        int plane = split.h() * split.w();
        float[] f = new float[c * plane];
        double[] d = new double[c * plane];
        for (int i = 0; i < split.n(); i++) {
            ToTensor.write(split.image(i), f, 0);
            for (int j = 0; j < f.length; j++) {
                d[j] = f[j];
            }
            s.add(d, 1, c, plane);
        }
        return s.stats();
    }
}
