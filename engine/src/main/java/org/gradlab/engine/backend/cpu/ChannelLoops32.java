package org.gradlab.engine.backend.cpu;

/**
 * float32 per-channel loops over heap arrays in natural (N, C, S) order, for batch norm
 * ({@link CpuNorm}) and the conv bias gradient ({@link CpuConv}); the callers stage the off-heap
 * tensors into these arrays with one bulk copy each (see {@link HeapStage}).
 *
 * <p>Sums accumulate in double with four independent partial sums per block, so the adds do
 * not wait on each other; the element-wise passes are single float multiply-adds per element,
 * which the JIT vectorises.
 */
final class ChannelLoops32 {
    private ChannelLoops32() {}

    /** sums[ch] += sum of x over channel ch. */
    static void channelSums(float[] x, int n, int c, int s, double[] sums) {
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                sums[ch] += blockSum(x, at, s);
            }
        }
    }

    /** sq[ch] += sum of (x - mean[ch])^2 over channel ch. */
    static void channelSqDev(float[] x, int n, int c, int s, double[] mean, double[] sq) {
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                double m = mean[ch];
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                int k = at;
                for (int e = at + (s & ~3); k < e; k += 4) {
                    double d0 = x[k] - m, d1 = x[k + 1] - m, d2 = x[k + 2] - m, d3 = x[k + 3] - m;
                    a0 += d0 * d0;
                    a1 += d1 * d1;
                    a2 += d2 * d2;
                    a3 += d3 * d3;
                }
                for (; k < at + s; k++) {
                    double d = x[k] - m;
                    a0 += d * d;
                }
                sq[ch] += (a0 + a1) + (a2 + a3);
            }
        }
    }

    /** sumG[ch] += sum g, sumGDev[ch] += sum g * (x - mean[ch]) over channel ch. */
    static void gradSums(float[] g, float[] x, int n, int c, int s, double[] mean, double[] sumG, double[] sumGDev) {
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                double m = mean[ch];
                double g0 = 0, g1 = 0, p0 = 0, p1 = 0;
                int k = at;
                for (int e = at + (s & ~1); k < e; k += 2) {
                    double ga = g[k], gb = g[k + 1];
                    g0 += ga;
                    g1 += gb;
                    p0 += ga * (x[k] - m);
                    p1 += gb * (x[k + 1] - m);
                }
                for (; k < at + s; k++) {
                    g0 += g[k];
                    p0 += g[k] * (x[k] - m);
                }
                sumG[ch] += g0 + g1;
                sumGDev[ch] += p0 + p1;
            }
        }
    }

    /** out = a[ch] * x + b[ch]. */
    static void affine(float[] x, float[] out, int n, int c, int s, float[] a, float[] b) {
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float ac = a[ch];
                float bc = b[ch];
                for (int k = at, e = at + s; k < e; k++) {
                    out[k] = x[k] * ac + bc;
                }
            }
        }
    }

    /** out = a[ch] * g + b[ch] * x + d[ch]. */
    static void affine2(float[] g, float[] x, float[] out, int n, int c, int s, float[] a, float[] b, float[] d) {
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float ac = a[ch];
                float bc = b[ch];
                float dc = d[ch];
                for (int k = at, e = at + s; k < e; k++) {
                    out[k] = g[k] * ac + x[k] * bc + dc;
                }
            }
        }
    }

    private static double blockSum(float[] x, int at, int s) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int k = at;
        for (int e = at + (s & ~3); k < e; k += 4) {
            a0 += x[k];
            a1 += x[k + 1];
            a2 += x[k + 2];
            a3 += x[k + 3];
        }
        for (; k < at + s; k++) {
            a0 += x[k];
        }
        return (a0 + a1) + (a2 + a3);
    }

    static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
