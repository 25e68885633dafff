package org.gradlab.natives.cuda;

/**
 * The float64 loops {@link GpuSelfTest} compares the device against: plain, slow and readable,
 * one per native routine the engine calls (pure Java; no device needed).
 */
final class SelfTestReference {
    private SelfTestReference() {}

    /** Row-wise log-softmax of x [rows, cols] and its backward for gy: {y, gx}. */
    static double[][] logSoftmax(float[] x, float[] gy, int rows, int cols) {
        double[] y = new double[rows * cols], gx = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double m = Double.NEGATIVE_INFINITY, s = 0, sg = 0;
            for (int c = 0; c < cols; c++) {
                m = Math.max(m, x[r * cols + c]);
            }
            for (int c = 0; c < cols; c++) {
                s += Math.exp(x[r * cols + c] - m);
                sg += gy[r * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = x[r * cols + c] - m - Math.log(s);
                gx[r * cols + c] = gy[r * cols + c] - Math.exp(y[r * cols + c]) * sg;
            }
        }
        return new double[][] {y, gx};
    }

    /** Parameters after SGD steps with Nesterov momentum and L2 weight decay (torch.optim.SGD), one gradient per step. */
    static double[] sgdNesterov(double[] p, double lr, double momentum, double weightDecay, double[]... grads) {
        double[] want = p.clone(), buf = new double[p.length];
        for (int step = 0; step < grads.length; step++) {
            for (int i = 0; i < p.length; i++) {
                double gi = grads[step][i] + weightDecay * want[i];
                buf[i] = step == 0 ? gi : momentum * buf[i] + gi;
                want[i] -= lr * (gi + momentum * buf[i]);
            }
        }
        return want;
    }

    /** Parameters after AdamW steps (decoupled weight decay, torch.optim.AdamW), one gradient per step. */
    static double[] adamW(float[] p, double lr, double b1, double b2, double eps, double weightDecay, float[]... grads) {
        double[] want = new double[p.length], m = new double[p.length], v = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            want[i] = p[i];
        }
        for (int step = 1; step <= grads.length; step++) {
            float[] g = grads[step - 1];
            double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
            for (int i = 0; i < p.length; i++) {
                want[i] *= 1 - lr * weightDecay;
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                want[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
            }
        }
        return want;
    }

    /** {@code alpha * op(A) op(B)}, row-major, A [m,k] (stored [k,m] when transposed), B [k,n] (stored [n,k] when transposed). */
    static double[] gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int l = 0; l < k; l++) {
                    s += (transA ? a[l * m + i] : a[i * k + l]) * (transB ? b[j * k + l] : b[l * n + j]);
                }
                c[i * n + j] = alpha * s;
            }
        }
        return c;
    }

    /**
     * 3x3 cross-correlation with padding 1: x [N,C,H,W], w [K,C,3,3], dy of the output's shape;
     * returns {y, dx, dw}.
     */
    static double[][] conv3x3(double[] x, int[] xs, double[] w, int k, int[] stride, double[] dy) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
        int oh = (h + 2 - 3) / stride[0] + 1, ow = (wd + 2 - 3) / stride[1] + 1;
        double[] y = new double[n * k * oh * ow], gx = new double[x.length], gw = new double[w.length];
        for (int nb = 0; nb < n; nb++) {
            for (int kk = 0; kk < k; kk++) {
                for (int p = 0; p < oh; p++) {
                    for (int q = 0; q < ow; q++) {
                        int yi = ((nb * k + kk) * oh + p) * ow + q;
                        for (int cc = 0; cc < c; cc++) {
                            for (int r = 0; r < 3; r++) {
                                for (int u = 0; u < 3; u++) {
                                    int hi = p * stride[0] - 1 + r, wi = q * stride[1] - 1 + u;
                                    if (hi < 0 || hi >= h || wi < 0 || wi >= wd) {
                                        continue;
                                    }
                                    int xi = ((nb * c + cc) * h + hi) * wd + wi, fi = ((kk * c + cc) * 3 + r) * 3 + u;
                                    y[yi] += x[xi] * w[fi];
                                    gx[xi] += dy[yi] * w[fi];
                                    gw[fi] += dy[yi] * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {y, gx, gw};
    }

    /** Training-mode batch norm of x [N,C,HW] and its backward; running statistics start at mean 0, variance 1. */
    record BatchNorm(double[] y, double[] runningMean, double[] runningVarUnbiased, double[] runningVarBiased,
                     double[] dx, double[] dScale, double[] dBias) {}

    static BatchNorm batchNorm(float[] x, float[] gamma, float[] beta, float[] dy, int n, int c, int hw, double eps,
                               double momentum) {
        double[] y = new double[x.length], rm = new double[c], rvU = new double[c], rvB = new double[c];
        double[] gx = new double[x.length], gs = new double[c], gb = new double[c];
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double mean = 0, var = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    mean += x[(b * c + ch) * hw + i];
                }
            }
            mean /= m;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    double d = x[(b * c + ch) * hw + i] - mean;
                    var += d * d;
                }
            }
            double inv = 1 / Math.sqrt(var / m + eps);
            rm[ch] = momentum * mean;
            rvU[ch] = (1 - momentum) + momentum * var / (m - 1);
            rvB[ch] = (1 - momentum) + momentum * var / m;
            double sdy = 0, sdyx = 0;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    int idx = (b * c + ch) * hw + i;
                    double xh = (x[idx] - mean) * inv;
                    y[idx] = gamma[ch] * xh + beta[ch];
                    sdy += dy[idx];
                    sdyx += dy[idx] * xh;
                }
            }
            gb[ch] = sdy;
            gs[ch] = sdyx;
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < hw; i++) {
                    int idx = (b * c + ch) * hw + i;
                    double xh = (x[idx] - mean) * inv;
                    gx[idx] = gamma[ch] * inv / m * ((double) m * dy[idx] - sdy - xh * sdyx);
                }
            }
        }
        return new BatchNorm(y, rm, rvU, rvB, gx, gs, gb);
    }
}
