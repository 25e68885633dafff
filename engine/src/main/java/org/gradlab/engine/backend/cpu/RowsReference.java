package org.gradlab.engine.backend.cpu;

/**
 * The float64 REFERENCE layer norm and softmax (every float64 call runs them, and float32 softmax
 * along an inner axis; the float32 loops of {@link RowLoops32} are tested against them,
 * RowOpsF32PathTest), as plain loops over double arrays.
 *
 * <p>Layer norm, per row r of d contiguous values:
 * <pre>
 *   mean = (1/d) sum x                  var = (1/d) sum (x - mean)^2   (two passes, biased)
 *   invstd = 1 / sqrt(var + eps)        xhat = (x - mean) * invstd       y = xhat * w + b
 *   dL/db = sum_rows g                  dL/dw = sum_rows g * xhat
 *   dL/dx = invstd * (gh - mean(gh) - xhat * mean(gh * xhat)),  gh = g * w
 * </pre>
 * Softmax along the middle axis of a contiguous (outer, n, inner) array (inner = 1: the last axis),
 * element k of line (o, j) at o*n*inner + j + k*inner:
 * <pre>
 *   y = exp(x - max) / sum exp(x - max)          dL/dx = y * (g - sum g * y)
 * </pre>
 * All sums run in double, in index order.
 */
final class RowsReference {
    private RowsReference() {}

    /** y, mean[r], invstd[r] of the layer norm of {@code rows} rows of d; w/b may be null (1, 0). */
    static void layerNorm(double[] x, int rows, int d, double[] w, double[] b, double eps, double[] y, double[] mean,
                          double[] invstd) {
        for (int r = 0, at = 0; r < rows; r++, at += d) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += x[at + k];
            }
            mean[r] = s / d;
            double q = 0;
            for (int k = 0; k < d; k++) {
                double dev = x[at + k] - mean[r];
                q += dev * dev;
            }
            invstd[r] = 1.0 / Math.sqrt(q / d + eps);
            for (int k = 0; k < d; k++) {
                y[at + k] = (x[at + k] - mean[r]) * invstd[r] * (w == null ? 1 : w[k]) + (b == null ? 0 : b[k]);
            }
        }
    }

    /** gx (may be null: skipped) and gw/gb (may be null; added to) of the layer norm. */
    static void layerNormBackward(double[] g, double[] x, int rows, int d, double[] w, double[] mean, double[] invstd,
                                  double[] gx, double[] gw, double[] gb) {
        double[] xhat = new double[d];
        double[] gh = new double[d];
        for (int r = 0, at = 0; r < rows; r++, at += d) {
            double sumGh = 0;
            double sumGhXhat = 0;
            for (int k = 0; k < d; k++) {
                xhat[k] = (x[at + k] - mean[r]) * invstd[r];
                gh[k] = g[at + k] * (w == null ? 1 : w[k]);
                sumGh += gh[k];
                sumGhXhat += gh[k] * xhat[k];
                if (gw != null) {
                    gw[k] += g[at + k] * xhat[k];
                }
                if (gb != null) {
                    gb[k] += g[at + k];
                }
            }
            if (gx != null) {
                for (int k = 0; k < d; k++) {
                    gx[at + k] = invstd[r] * (gh[k] - sumGh / d - xhat[k] * sumGhXhat / d);
                }
            }
        }
    }

    /** y = softmax of x along n of (outer, n, inner). */
    static void softmax(double[] x, int outer, int n, int inner, double[] y) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int at = o * n * inner + j;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    max = Math.max(max, x[at + k * inner]);
                }
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    y[at + k * inner] = Math.exp(x[at + k * inner] - max);
                    sum += y[at + k * inner];
                }
                for (int k = 0; k < n; k++) {
                    y[at + k * inner] /= sum;
                }
            }
        }
    }

    /** gx = y * (g - sum g * y) along n of (outer, n, inner). */
    static void softmaxBackward(double[] g, double[] y, int outer, int n, int inner, double[] gx) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int at = o * n * inner + j;
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += g[at + k * inner] * y[at + k * inner];
                }
                for (int k = 0; k < n; k++) {
                    gx[at + k * inner] = y[at + k * inner] * (g[at + k * inner] - dot);
                }
            }
        }
    }
}
