package org.gradlab.engine.backend.cpu;

/**
 * {@link ChannelLoops32}'s passes for small planes (S < {@link ChannelLoops32#SMALL_PLANE}) over
 * the same staged (N, C, S) arrays: each loop runs over one whole sample, C*S elements, instead
 * of over one (sample, channel) block of S (4 or 16 in EfficientNet's late stages, where the
 * per-block loops cost 0.5-1.4 ns per element).
 *
 * <p>How: a sample's C*S positions go in blocks of {@link #BLOCK}; per block the per-channel
 * coefficients are spread over its positions (coef[p] = v[p / S]), then each sample's block is
 * copied to index 0 of a scratch array (NOTE: the JIT, JDK 17's C2, vectorises a loop only when
 * all its arrays are indexed by the same expression) and one vectorised loop runs over it. Sums accumulate per position across the samples in
 * float, then over a channel's S positions in double: the same products as the per-block loops,
 * summed in another order. The element-wise passes compute exactly ChannelLoops32's
 * expressions, so they give the same bits.
 */
final class SmallPlanes32 {
    /** Per-thread scratch: rows 0-1 a staged sample (x, g), 2 an output sample, 3-5 coefficients, 6-7 sums. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[8][0]);
    /** Positions per pass: the up to eight rows of a pass (2 KB each) stay in the first-level cache. */
    static final int BLOCK = 512;

    private SmallPlanes32() {}

    /** sums[ch] += sum of x over channel ch. */
    static void channelSums(float[] x, int n, int c, int s, double[] sums) {
        int cs = c * s;
        for (int k0 = 0; k0 < cs; k0 += BLOCK) {
            int len = Math.min(BLOCK, cs - k0);
            float[] acc = zeroed(6, len);
            float[] xs = row(0, len);
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * cs + k0, xs, 0, len);
                for (int k = 0; k < len; k++) {
                    acc[k] += xs[k];
                }
            }
            addByChannel(acc, k0, len, s, sums);
        }
    }

    /** sq[ch] += sum of (x - mean[ch])^2 over channel ch. */
    static void channelSqDev(float[] x, int n, int c, int s, double[] mean, double[] sq) {
        int cs = c * s;
        for (int k0 = 0; k0 < cs; k0 += BLOCK) {
            int len = Math.min(BLOCK, cs - k0);
            float[] m = spread(3, mean, k0, len, s);
            float[] acc = zeroed(6, len);
            float[] xs = row(0, len);
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * cs + k0, xs, 0, len);
                for (int k = 0; k < len; k++) {
                    float d = xs[k] - m[k];
                    acc[k] += d * d;
                }
            }
            addByChannel(acc, k0, len, s, sq);
        }
    }

    /** sumG[ch] += sum g, sumGDev[ch] += sum g * (x - mean[ch]) over channel ch. */
    static void gradSums(float[] g, float[] x, int n, int c, int s, double[] mean, double[] sumG, double[] sumGDev) {
        int cs = c * s;
        for (int k0 = 0; k0 < cs; k0 += BLOCK) {
            int len = Math.min(BLOCK, cs - k0);
            float[] m = spread(3, mean, k0, len, s);
            float[] accG = zeroed(6, len);
            float[] accP = zeroed(7, len);
            float[] xs = row(0, len);
            float[] gs = row(1, len);
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * cs + k0, xs, 0, len);
                System.arraycopy(g, i * cs + k0, gs, 0, len);
                for (int k = 0; k < len; k++) {
                    accG[k] += gs[k];
                    accP[k] += gs[k] * (xs[k] - m[k]);
                }
            }
            addByChannel(accG, k0, len, s, sumG);
            addByChannel(accP, k0, len, s, sumGDev);
        }
    }

    /** out = a[ch] * x + b[ch]. */
    static void affine(float[] x, float[] out, int n, int c, int s, float[] a, float[] b) {
        int cs = c * s;
        for (int k0 = 0; k0 < cs; k0 += BLOCK) {
            int len = Math.min(BLOCK, cs - k0);
            float[] as = spread(3, a, k0, len, s);
            float[] bs = spread(4, b, k0, len, s);
            float[] xs = row(0, len);
            float[] os = row(2, len);
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * cs + k0, xs, 0, len);
                for (int k = 0; k < len; k++) {
                    os[k] = xs[k] * as[k] + bs[k];
                }
                System.arraycopy(os, 0, out, i * cs + k0, len);
            }
        }
    }

    /** out = a[ch] * g + b[ch] * x + d[ch]. */
    static void affine2(float[] g, float[] x, float[] out, int n, int c, int s, float[] a, float[] b, float[] d) {
        int cs = c * s;
        for (int k0 = 0; k0 < cs; k0 += BLOCK) {
            int len = Math.min(BLOCK, cs - k0);
            float[] as = spread(3, a, k0, len, s);
            float[] bs = spread(4, b, k0, len, s);
            float[] ds = spread(5, d, k0, len, s);
            float[] xs = row(0, len);
            float[] gs = row(1, len);
            float[] os = row(2, len);
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * cs + k0, xs, 0, len);
                System.arraycopy(g, i * cs + k0, gs, 0, len);
                for (int k = 0; k < len; k++) {
                    os[k] = gs[k] * as[k] + xs[k] * bs[k] + ds[k];
                }
                System.arraycopy(os, 0, out, i * cs + k0, len);
            }
        }
    }

    /**
     * dst[ch] += acc's entries of channel ch, in double, where acc holds positions k0 .. k0 + len
     * of a sample (position p belongs to channel p / s); a channel split between two blocks gets
     * its positions in order all the same.
     */
    private static void addByChannel(float[] acc, int k0, int len, int s, double[] dst) {
        for (int k = 0; k < len; ) {
            int ch = (k0 + k) / s;
            int end = Math.min(len, (ch + 1) * s - k0);
            double r = 0;
            for (; k < end; k++) {
                r += acc[k];
            }
            dst[ch] += r;
        }
    }

    /** The scratch row of {@code slot} holding, for positions k0 .. k0 + len, v[position / s] as float. */
    private static float[] spread(int slot, double[] v, int k0, int len, int s) {
        float[] r = row(slot, len);
        for (int k = 0; k < len; k++) {
            r[k] = (float) v[(k0 + k) / s];
        }
        return r;
    }

    private static float[] spread(int slot, float[] v, int k0, int len, int s) {
        float[] r = row(slot, len);
        for (int k = 0; k < len; k++) {
            r[k] = v[(k0 + k) / s];
        }
        return r;
    }

    private static float[] zeroed(int slot, int len) {
        float[] r = row(slot, len);
        java.util.Arrays.fill(r, 0, len, 0f);
        return r;
    }

    /** The calling thread's scratch row of {@code slot}, at least {@code len} long (contents undefined). */
    private static float[] row(int slot, int len) {
        float[][] rows = SCRATCH.get();
        if (rows[slot].length < len) {
            rows[slot] = new float[len];
        }
        return rows[slot];
    }
}
