package org.gradlab.engine.backend.cpu;

/**
 * The float64 REFERENCE batch-norm passes (every float64 batch norm runs them; the float32 passes
 * of {@link ChannelLoops32} are tested against them, NormF32PathTest), as plain loops over a
 * contiguous (N, C, S) array, S = the positions of one channel in one sample (H*W).
 *
 * <p>The math, per channel c over its m = N*S values (CpuNorm does the per-channel scalar part):
 * <pre>
 *   mean   = (1/m) sum x                         var = (1/m) sum (x - mean)^2   (two passes)
 *   invstd = 1 / sqrt(var + eps)                 xhat = (x - mean) * invstd
 *   y      = w * xhat + b  = x * scale + shift,  scale = w * invstd, shift = b - mean * scale
 *   running = (1 - momentum) * running + momentum * batch stat   (var unbiased: * m / (m - 1))
 *   dL/db  = sum g                               dL/dw = sum g * xhat = invstd * sum g * (x - mean)
 *   dL/dx  = scale * (g - mean(g) - xhat * mean(g * xhat))       (training; eval: scale * g)
 * </pre>
 * All sums run in double, in index order.
 */
final class NormReference {
    private NormReference() {}

    /** mean[c] and the biased var[c] of each channel, two passes (the squared deviations from the mean). */
    static void meanAndVariance(double[] x, int n, int c, int s, double[] mean, double[] var) {
        long m = (long) n * s;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    sum += x[(i * c + ch) * s + k];
                }
            }
            mean[ch] = sum / m;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    double d = x[(i * c + ch) * s + k] - mean[ch];
                    sq += d * d;
                }
            }
            var[ch] = sq / m;
        }
    }

    /** y = x * scale[c] + shift[c]. */
    static double[] normalize(double[] x, int n, int c, int s, double[] scale, double[] shift) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    y[at] = x[at] * scale[ch] + shift[ch];
                }
            }
        }
        return y;
    }

    /** sumG[c] = sum g and sumGDev[c] = sum g * (x - mean[c]) over each channel. */
    static void gradSums(double[] g, double[] x, int n, int c, int s, double[] mean, double[] sumG, double[] sumGDev) {
        for (int ch = 0; ch < c; ch++) {
            double sg = 0;
            double sgd = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    sg += g[at];
                    sgd += g[at] * (x[at] - mean[ch]);
                }
            }
            sumG[ch] = sg;
            sumGDev[ch] = sgd;
        }
    }

    /**
     * dL/dx = scale[c] * (g + gShift[c] + xCoef[c] * (x - mean[c])), the class comment's formula
     * with gShift = -mean(g) and xCoef = -invstd * mean(g * xhat) (both 0 in eval).
     */
    static double[] gradX(double[] g, double[] x, int n, int c, int s, double[] scale, double[] gShift, double[] xCoef,
                          double[] mean) {
        double[] gx = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    gx[at] = scale[ch] * (g[at] + gShift[ch] + xCoef[ch] * (x[at] - mean[ch]));
                }
            }
        }
        return gx;
    }
}
