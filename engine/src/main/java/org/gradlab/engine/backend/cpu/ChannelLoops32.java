package org.gradlab.engine.backend.cpu;

/**
 * float32 per-channel loops over heap arrays in natural (N, C, S) order, for batch norm
 * ({@link CpuNorm}) and the conv bias gradient ({@link CpuConv}): the fast versions of
 * {@link NormReference}'s passes, tested against them (NormF32PathTest, ConvF32PathTest). The
 * callers split the channels across threads ({@link Parallel}): each chunk stages its channels
 * [c0, c1) of every sample into a heap array of its own ({@link #stage}), runs these loops on
 * that (N, c1 - c0, S) array and writes its result back ({@link #store}); each channel's sums run
 * in the same order whatever the split, so the results do not depend on the thread count.
 *
 * <p>Sums run in float over one (sample, channel) block (at most a plane, 784 elements here)
 * with eight independent partial sums, so the adds do not wait on each other (0.30 -> 0.16 ns
 * per element against four double partial sums), and accumulate across blocks in double; the
 * element-wise passes are single float multiply-adds per element, which the JIT vectorises.
 *
 * <p>Small planes (S below {@link #SMALL_PLANE}: EfficientNet's 4x4 and 2x2 stages) take
 * {@link SmallPlanes32} instead: a loop over one (sample, channel) block of 4 or 16 elements is
 * all loop overhead (0.5-1.4 ns per element here against 0.1-0.4 on large planes).
 */
final class ChannelLoops32 {
    /**
     * Planes with fewer elements than this take {@link SmallPlanes32}. NOTE: its sums run in a
     * different order (across the samples first), so they differ in the last bits; the
     * challenge's CNNs normalise 7x7 = 49-element planes and larger, whose bits stay as they were.
     */
    static final int SMALL_PLANE = 49;

    private ChannelLoops32() {}

    /** sums[ch] += sum of x over channel ch. */
    static void channelSums(float[] x, int n, int c, int s, double[] sums) {
        if (s < SMALL_PLANE) {
            SmallPlanes32.channelSums(x, n, c, s, sums);
            return;
        }
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                sums[ch] += blockSum(x, at, s);
            }
        }
    }

    /** sq[ch] += sum of (x - mean[ch])^2 over channel ch. */
    static void channelSqDev(float[] x, int n, int c, int s, double[] mean, double[] sq) {
        if (s < SMALL_PLANE) {
            SmallPlanes32.channelSqDev(x, n, c, s, mean, sq);
            return;
        }
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float m = (float) mean[ch];
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
                int k = at;
                for (int e = at + (s & ~7); k < e; k += 8) {
                    float d0 = x[k] - m, d1 = x[k + 1] - m, d2 = x[k + 2] - m, d3 = x[k + 3] - m;
                    float d4 = x[k + 4] - m, d5 = x[k + 5] - m, d6 = x[k + 6] - m, d7 = x[k + 7] - m;
                    a0 += d0 * d0;
                    a1 += d1 * d1;
                    a2 += d2 * d2;
                    a3 += d3 * d3;
                    a4 += d4 * d4;
                    a5 += d5 * d5;
                    a6 += d6 * d6;
                    a7 += d7 * d7;
                }
                double r = sum8(a0, a1, a2, a3, a4, a5, a6, a7);
                for (; k < at + s; k++) {
                    double d = x[k] - m;
                    r += d * d;
                }
                sq[ch] += r;
            }
        }
    }

    /**
     * mean[ch] and var[ch] (biased) of channel ch in one pass over x: with a shift K per channel,
     * d = x - K, mean = K + sum d / count, var = sum d^2 / count - (sum d / count)^2; sums in float
     * over a (sample, channel) block with eight partial sums each (d^2 by fused multiply-adds), in
     * double across blocks. Planes below {@link #SMALL_PLANE} take {@link SmallPlanes32}'s two passes.
     *
     * <p>NOTE: K is the mean of sample 0's plane of the channel, so the subtraction cancels at most
     * a factor 1 + n of the variance's digits: n * var >= (mean of any one sample's plane - mean)^2.
     * A float32 path: different bits from {@link #channelSums} then {@link #channelSqDev}, which
     * plain batch norm keeps (the challenge's pinned figures).
     */
    static void meanAndVariance(float[] x, int n, int c, int s, double[] mean, double[] var) {
        long count = (long) n * s;
        if (s < SMALL_PLANE) {
            double[] sums = new double[c];
            SmallPlanes32.channelSums(x, n, c, s, sums);
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = sums[ch] / count;
            }
            double[] sq = new double[c];
            SmallPlanes32.channelSqDev(x, n, c, s, mean, sq);
            for (int ch = 0; ch < c; ch++) {
                var[ch] = sq[ch] / count;
            }
            return;
        }
        float[] shift = new float[c];
        double[] sumD = new double[c];
        double[] sumD2 = new double[c];
        for (int ch = 0; ch < c; ch++) {
            shift[ch] = (float) (blockSum(x, ch * s, s) / s);
        }
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float m = shift[ch];
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
                float q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0;
                int k = at;
                for (int e = at + (s & ~7); k < e; k += 8) {
                    float d0 = x[k] - m, d1 = x[k + 1] - m, d2 = x[k + 2] - m, d3 = x[k + 3] - m;
                    float d4 = x[k + 4] - m, d5 = x[k + 5] - m, d6 = x[k + 6] - m, d7 = x[k + 7] - m;
                    a0 += d0;
                    a1 += d1;
                    a2 += d2;
                    a3 += d3;
                    a4 += d4;
                    a5 += d5;
                    a6 += d6;
                    a7 += d7;
                    q0 = Math.fma(d0, d0, q0);
                    q1 = Math.fma(d1, d1, q1);
                    q2 = Math.fma(d2, d2, q2);
                    q3 = Math.fma(d3, d3, q3);
                    q4 = Math.fma(d4, d4, q4);
                    q5 = Math.fma(d5, d5, q5);
                    q6 = Math.fma(d6, d6, q6);
                    q7 = Math.fma(d7, d7, q7);
                }
                double rd = sum8(a0, a1, a2, a3, a4, a5, a6, a7);
                double rq = sum8(q0, q1, q2, q3, q4, q5, q6, q7);
                for (; k < at + s; k++) {
                    double d = x[k] - m;
                    rd += d;
                    rq += d * d;
                }
                sumD[ch] += rd;
                sumD2[ch] += rq;
            }
        }
        for (int ch = 0; ch < c; ch++) {
            double md = sumD[ch] / count;
            mean[ch] = shift[ch] + md;
            var[ch] = Math.max(0, sumD2[ch] / count - md * md);
        }
    }

    /** sumG[ch] += sum g, sumGDev[ch] += sum g * (x - mean[ch]) over channel ch. */
    static void gradSums(float[] g, float[] x, int n, int c, int s, double[] mean, double[] sumG, double[] sumGDev) {
        if (s < SMALL_PLANE) {
            SmallPlanes32.gradSums(g, x, n, c, s, mean, sumG, sumGDev);
            return;
        }
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float m = (float) mean[ch];
                float g0 = 0, g1 = 0, g2 = 0, g3 = 0, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
                int k = at;
                for (int e = at + (s & ~3); k < e; k += 4) {
                    float ga = g[k], gb = g[k + 1], gc = g[k + 2], gd = g[k + 3];
                    g0 += ga;
                    g1 += gb;
                    g2 += gc;
                    g3 += gd;
                    p0 += ga * (x[k] - m);
                    p1 += gb * (x[k + 1] - m);
                    p2 += gc * (x[k + 2] - m);
                    p3 += gd * (x[k + 3] - m);
                }
                double rg = ((double) g0 + g1) + ((double) g2 + g3);
                double rp = ((double) p0 + p1) + ((double) p2 + p3);
                for (; k < at + s; k++) {
                    rg += g[k];
                    rp += g[k] * (double) (x[k] - m);
                }
                sumG[ch] += rg;
                sumGDev[ch] += rp;
            }
        }
    }

    /**
     * {@link #gradSums} with eight partial pairs per (sample, channel) block and the products as
     * fused multiply-adds (0.42-0.50 -> 0.33-0.42 ns per element, eff4's GradSumsMb). NOTE: other
     * bits than {@link #gradSums}, which plain batch norm and batch norm + ReLU keep (the challenge's
     * pinned figures); batch norm + SiLU takes this. Small planes: {@link SmallPlanes32#gradSums}.
     */
    static void gradSumsWide(float[] g, float[] x, int n, int c, int s, double[] mean, double[] sumG, double[] sumGDev) {
        if (s < SMALL_PLANE) {
            SmallPlanes32.gradSums(g, x, n, c, s, mean, sumG, sumGDev);
            return;
        }
        for (int i = 0, at = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++, at += s) {
                float m = (float) mean[ch];
                float g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0;
                float p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
                int k = at;
                for (int e = at + (s & ~7); k < e; k += 8) {
                    float ga = g[k], gb = g[k + 1], gc = g[k + 2], gd = g[k + 3];
                    float ge = g[k + 4], gf = g[k + 5], gg = g[k + 6], gh = g[k + 7];
                    g0 += ga;
                    g1 += gb;
                    g2 += gc;
                    g3 += gd;
                    g4 += ge;
                    g5 += gf;
                    g6 += gg;
                    g7 += gh;
                    p0 = Math.fma(ga, x[k] - m, p0);
                    p1 = Math.fma(gb, x[k + 1] - m, p1);
                    p2 = Math.fma(gc, x[k + 2] - m, p2);
                    p3 = Math.fma(gd, x[k + 3] - m, p3);
                    p4 = Math.fma(ge, x[k + 4] - m, p4);
                    p5 = Math.fma(gf, x[k + 5] - m, p5);
                    p6 = Math.fma(gg, x[k + 6] - m, p6);
                    p7 = Math.fma(gh, x[k + 7] - m, p7);
                }
                double rg = sum8(g0, g1, g2, g3, g4, g5, g6, g7);
                double rp = sum8(p0, p1, p2, p3, p4, p5, p6, p7);
                for (; k < at + s; k++) {
                    rg += g[k];
                    rp += g[k] * (double) (x[k] - m);
                }
                sumG[ch] += rg;
                sumGDev[ch] += rp;
            }
        }
    }

    /** out = a[ch] * x + b[ch]. */
    static void affine(float[] x, float[] out, int n, int c, int s, float[] a, float[] b) {
        if (s < SMALL_PLANE) {
            SmallPlanes32.affine(x, out, n, c, s, a, b);
            return;
        }
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
        if (s < SMALL_PLANE) {
            SmallPlanes32.affine2(g, x, out, n, c, s, a, b, d);
            return;
        }
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
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
        int k = at;
        for (int e = at + (s & ~7); k < e; k += 8) {
            a0 += x[k];
            a1 += x[k + 1];
            a2 += x[k + 2];
            a3 += x[k + 3];
            a4 += x[k + 4];
            a5 += x[k + 5];
            a6 += x[k + 6];
            a7 += x[k + 7];
        }
        double r = sum8(a0, a1, a2, a3, a4, a5, a6, a7);
        for (; k < at + s; k++) {
            r += x[k];
        }
        return r;
    }

    private static double sum8(float a0, float a1, float a2, float a3, float a4, float a5, float a6, float a7) {
        return (((double) a0 + a1) + ((double) a2 + a3)) + (((double) a4 + a5) + ((double) a6 + a7));
    }

    /**
     * Channels [c0, c1) of every sample of the contiguous (N, C, S) tensor at {@code off} in
     * {@code src}, as an (N, c1 - c0, S) array: the calling thread's scratch of {@code slot}.
     */
    static float[] stage(int slot, java.nio.FloatBuffer src, int off, int n, int c, int s, int c0, int c1) {
        int w = (c1 - c0) * s;
        float[] a = HeapStage.scratch(slot, n * w);
        for (int i = 0; i < n; i++) {
            src.get(off + (i * c + c0) * s, a, i * w, w);
        }
        return a;
    }

    /** Writes an (N, c1 - c0, S) array to channels [c0, c1) of the contiguous (N, C, S) tensor at {@code off}. */
    static void store(float[] a, java.nio.FloatBuffer dst, int off, int n, int c, int s, int c0, int c1) {
        int w = (c1 - c0) * s;
        for (int i = 0; i < n; i++) {
            dst.put(off + (i * c + c0) * s, a, i * w, w);
        }
    }

    static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
