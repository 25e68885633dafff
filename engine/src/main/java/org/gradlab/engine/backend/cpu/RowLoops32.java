package org.gradlab.engine.backend.cpu;

import java.nio.FloatBuffer;

/**
 * float32 layer norm and last-axis softmax, one row at a time: each row is copied into a heap
 * scratch array at index 0 (see {@link HeapStage}), so every loop reads and writes its arrays at
 * the same index (the shape the JDK 17 JIT vectorises), then copied back; the copies are raw
 * memory copies ({@link OffHeap}, ranges checked once per call), since a FloatBuffer bulk get
 * costs a scope and bounds check per row, a sizeable part of a 50-float softmax row. The
 * rows split across threads ({@link Parallel}); no sum crosses a chunk's rows except layer norm's
 * weight/bias gradients, which add fixed blocks of rows in block order.
 *
 * <p>Sums run in float with eight independent partial sums (no add waits on the previous one)
 * and are combined in double; the element-wise passes are one multiply-add per element. Softmax's
 * exp is {@link UnaryLoops32#expInPlace} over a group of shifted rows, a float polynomial whose passes
 * vectorise (C2 has no vector exp; {@link Math#exp} in double dominated the forward, see
 * bench/README.md).
 */
final class RowLoops32 {
    /** The weight/bias gradients sum this many rows in float before adding into their double totals. */
    private static final int FLUSH_ROWS = 64;

    private RowLoops32() {}

    /** out = (x - mean) * invstd * w + b per row of d; mean/invstd per row. w/b may be null. Rows split across threads. */
    static void layerNorm(CpuStorage x, int xOff, int rows, int d, float[] w, float[] b, double eps, CpuStorage out,
                          FloatBuffer mean, FloatBuffer invstd) {
        float[] wk = w == null ? filled(2, d, 1f) : w; // the caller's slots 2 and 3: read-only in every chunk
        float[] bk = b == null ? filled(3, d, 0f) : b;
        long xa = OffHeap.floats(x, xOff, (long) rows * d);
        long oa = OffHeap.floats(out, 0, (long) rows * d);
        Parallel.forChunks(rows, Parallel.grain(d), (chunk, r0, r1) -> {
            float[] row = HeapStage.scratch(0, d);
            float[] y = HeapStage.scratch(1, d);
            for (int r = r0; r < r1; r++) {
                OffHeap.load(OffHeap.plus(xa, (long) r * d), row, d);
                float m = (float) (sum(row, d) / d);
                float s = (float) (1.0 / Math.sqrt(sumSqDev(row, d, m) / d + eps));
                for (int k = 0; k < d; k++) {
                    y[k] = (row[k] - m) * s * wk[k] + bk[k];
                }
                OffHeap.store(y, d, OffHeap.plus(oa, (long) r * d));
                mean.put(r, m);
                invstd.put(r, s);
            }
        });
    }

    /**
     * gx = invstd·(gh − mean(gh) − xhat·mean(gh·xhat)), gh = g·w, xhat = (x − mean)·invstd;
     * gw += Σ_rows g·xhat, gb += Σ_rows g (any of gx/gw/gb may be null). The rows go in blocks of
     * {@link #FLUSH_ROWS}, split across threads: each block sums its gw/gb terms in float, and the
     * blocks' sums are added into the double totals in block order, so the result does not depend
     * on the thread count.
     */
    static void layerNormBackward(CpuStorage g, int gOff, CpuStorage x, int xOff, int rows, int d, float[] w, float[] mean,
                                  float[] invstd, CpuStorage gx, double[] gw, double[] gb) {
        long ga = OffHeap.floats(g, gOff, (long) rows * d);
        long xa = OffHeap.floats(x, xOff, (long) rows * d);
        long gxa = gx == null ? 0 : OffHeap.floats(gx, 0, (long) rows * d);
        int blocks = (rows + FLUSH_ROWS - 1) / FLUSH_ROWS;
        float[] blockW = gw == null ? null : new float[blocks * d];
        float[] blockB = gb == null ? null : new float[blocks * d];
        float[] wk = w == null ? filled(d, 1f) : w; // read-only in every chunk
        Parallel.forChunks(blocks, Parallel.grain((long) FLUSH_ROWS * d), (chunk, b0, b1) -> {
            float[] gr = HeapStage.scratch(0, d);
            float[] xr = HeapStage.scratch(1, d);
            float[] gh = HeapStage.scratch(2, d);
            float[] accW = HeapStage.scratch(4, d); // summed even when not asked for: one fused pass is cheaper than a test per pass
            float[] accB = HeapStage.scratch(5, d);
            double[] sums = new double[2];
            for (int blk = b0; blk < b1; blk++) {
                java.util.Arrays.fill(accW, 0, d, 0f);
                java.util.Arrays.fill(accB, 0, d, 0f);
                for (int r = blk * FLUSH_ROWS, e = Math.min(rows, r + FLUSH_ROWS); r < e; r++) {
                    OffHeap.load(OffHeap.plus(ga, (long) r * d), gr, d);
                    OffHeap.load(OffHeap.plus(xa, (long) r * d), xr, d);
                    float m = mean[r];
                    float s = invstd[r];
                    for (int k = 0; k < d; k++) { // one pass: xhat, gh = g·w and the gw/gb terms
                        float gk = gr[k];
                        float xh = (xr[k] - m) * s;
                        xr[k] = xh;
                        gh[k] = gk * wk[k];
                        accW[k] += gk * xh;
                        accB[k] += gk;
                    }
                    if (gx != null) {
                        rowGradX(gh, xr, s, d, sums);
                        OffHeap.store(gh, d, OffHeap.plus(gxa, (long) r * d));
                    }
                }
                if (gw != null) {
                    System.arraycopy(accW, 0, blockW, blk * d, d);
                }
                if (gb != null) {
                    System.arraycopy(accB, 0, blockB, blk * d, d);
                }
            }
        });
        addBlocks(blockW, gw, blocks, d);
        addBlocks(blockB, gb, blocks, d);
    }

    /** gh becomes s·(gh − mean(gh) − xhat·mean(gh·xhat)) for one row (gh = g·w); sums: two doubles of scratch. */
    private static void rowGradX(float[] gh, float[] xhat, float s, int d, double[] sums) {
        sumAndDot(gh, xhat, d, sums);
        float meanGh = (float) (sums[0] / d);
        float meanGhXhat = (float) (sums[1] / d);
        for (int k = 0; k < d; k++) {
            gh[k] = s * (gh[k] - meanGh - xhat[k] * meanGhXhat);
        }
    }

    /** total[k] += the blocks' float sums, block by block in order (null: nothing to do). */
    private static void addBlocks(float[] blockSums, double[] total, int blocks, int d) {
        if (blockSums == null) {
            return;
        }
        for (int blk = 0; blk < blocks; blk++) {
            for (int k = 0; k < d; k++) {
                total[k] += blockSums[blk * d + k];
            }
        }
    }

    /** Floats of short softmax rows exponentiated in one call at most (UnaryLoops32's block). */
    private static final int SOFTMAX_GROUP = 2048;

    /**
     * y = exp(x − max) / Σ exp(x − max) over each row of n. Rows split across threads; short rows
     * (attention's 50 to 200 scores) go in groups of up to {@link #SOFTMAX_GROUP} floats: one load,
     * one exp call and one store per group rather than per row.
     */
    static void softmax(CpuStorage x, int xOff, int rows, int n, CpuStorage out) {
        long xa = OffHeap.floats(x, xOff, (long) rows * n);
        long oa = OffHeap.floats(out, 0, (long) rows * n);
        int group = Math.max(1, SOFTMAX_GROUP / Math.max(1, n));
        Parallel.forChunks(rows, Parallel.grain(n), (chunk, r0, r1) -> {
            float[] block = HeapStage.scratch(0, Math.min(group, r1 - r0) * n);
            for (int g0 = r0; g0 < r1; g0 += group) {
                int count = Math.min(group, r1 - g0);
                OffHeap.load(OffHeap.plus(xa, (long) g0 * n), block, count * n);
                for (int r = 0; r < count; r++) {
                    subtractMax(block, r * n, n); // <= 0: below about -87.7 exp gives 0
                }
                UnaryLoops32.expInPlace(block, count * n);
                for (int r = 0; r < count; r++) {
                    float inv = (float) (1.0 / sum(block, r * n, n));
                    for (int k = r * n, e = k + n; k < e; k++) {
                        block[k] *= inv;
                    }
                }
                OffHeap.store(block, count * n, OffHeap.plus(oa, (long) g0 * n));
            }
        });
    }

    /** a[from, from + n) −= its max. */
    private static void subtractMax(float[] a, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = from, e = from + n; k < e; k++) {
            max = Math.max(max, a[k]);
        }
        for (int k = from, e = from + n; k < e; k++) {
            a[k] -= max;
        }
    }

    /** gx = y·(g − Σ g·y) over each row of n. Rows split across threads. */
    static void softmaxBackward(CpuStorage g, int gOff, CpuStorage y, int yOff, int rows, int n, CpuStorage gx) {
        long ga = OffHeap.floats(g, gOff, (long) rows * n);
        long ya = OffHeap.floats(y, yOff, (long) rows * n);
        long gxa = OffHeap.floats(gx, 0, (long) rows * n);
        Parallel.forChunks(rows, Parallel.grain(n), (chunk, r0, r1) -> {
            float[] gr = HeapStage.scratch(0, n);
            float[] yr = HeapStage.scratch(1, n);
            for (int r = r0; r < r1; r++) {
                OffHeap.load(OffHeap.plus(ga, (long) r * n), gr, n);
                OffHeap.load(OffHeap.plus(ya, (long) r * n), yr, n);
                float dot = (float) dot(gr, yr, n);
                for (int k = 0; k < n; k++) {
                    gr[k] = yr[k] * (gr[k] - dot);
                }
                OffHeap.store(gr, n, OffHeap.plus(gxa, (long) r * n));
            }
        });
    }

    /** A fresh array of n copies of v. */
    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static float[] filled(int slot, int n, float v) {
        float[] a = HeapStage.scratch(slot, n);
        java.util.Arrays.fill(a, 0, n, v);
        return a;
    }

    /** Σ a[0..n) with eight float partial sums. */
    static double sum(float[] a, int n) {
        return sum(a, 0, n);
    }

    /** Σ a[from..from+n) with eight float partial sums, combined in double. */
    static double sum(float[] a, int from, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int k = from;
        int end = from + n;
        for (int e = from + (n & ~7); k < e; k += 8) {
            s0 += a[k];
            s1 += a[k + 1];
            s2 += a[k + 2];
            s3 += a[k + 3];
            s4 += a[k + 4];
            s5 += a[k + 5];
            s6 += a[k + 6];
            s7 += a[k + 7];
        }
        double r = (((double) s0 + s1) + ((double) s2 + s3)) + (((double) s4 + s5) + ((double) s6 + s7));
        for (; k < end; k++) {
            r += a[k];
        }
        return r;
    }

    /** Σ (a − m)² over a[0..n). */
    static double sumSqDev(float[] a, int n, float m) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int k = 0;
        for (int e = n & ~7; k < e; k += 8) {
            float d0 = a[k] - m, d1 = a[k + 1] - m, d2 = a[k + 2] - m, d3 = a[k + 3] - m;
            float d4 = a[k + 4] - m, d5 = a[k + 5] - m, d6 = a[k + 6] - m, d7 = a[k + 7] - m;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
            s4 += d4 * d4;
            s5 += d5 * d5;
            s6 += d6 * d6;
            s7 += d7 * d7;
        }
        double r = (((double) s0 + s1) + ((double) s2 + s3)) + (((double) s4 + s5) + ((double) s6 + s7));
        for (; k < n; k++) {
            double dv = a[k] - m;
            r += dv * dv;
        }
        return r;
    }

    /**
     * {Σ a, Σ a·b} over [0..n) in one pass, eight float partial sums each (the same sums as
     * {@link #sum} and {@link #dot}), written to out[0] and out[1].
     */
    static void sumAndDot(float[] a, float[] b, int n, double[] out) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        float p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
        int k = 0;
        for (int e = n & ~7; k < e; k += 8) {
            s0 += a[k];
            s1 += a[k + 1];
            s2 += a[k + 2];
            s3 += a[k + 3];
            s4 += a[k + 4];
            s5 += a[k + 5];
            s6 += a[k + 6];
            s7 += a[k + 7];
            p0 += a[k] * b[k];
            p1 += a[k + 1] * b[k + 1];
            p2 += a[k + 2] * b[k + 2];
            p3 += a[k + 3] * b[k + 3];
            p4 += a[k + 4] * b[k + 4];
            p5 += a[k + 5] * b[k + 5];
            p6 += a[k + 6] * b[k + 6];
            p7 += a[k + 7] * b[k + 7];
        }
        double sum = (((double) s0 + s1) + ((double) s2 + s3)) + (((double) s4 + s5) + ((double) s6 + s7));
        double dot = (((double) p0 + p1) + ((double) p2 + p3)) + (((double) p4 + p5) + ((double) p6 + p7));
        for (; k < n; k++) {
            sum += a[k];
            dot += (double) a[k] * b[k];
        }
        out[0] = sum;
        out[1] = dot;
    }

    /** Σ a·b over [0..n). */
    static double dot(float[] a, float[] b, int n) {
        return dot(a, b, 0, n);
    }

    /** Σ a[k]·b[k] over k in [from, from+n), eight float partial sums combined in double. */
    static double dot(float[] a, float[] b, int from, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int k = from;
        int end = from + n;
        for (int e = from + (n & ~7); k < e; k += 8) {
            s0 += a[k] * b[k];
            s1 += a[k + 1] * b[k + 1];
            s2 += a[k + 2] * b[k + 2];
            s3 += a[k + 3] * b[k + 3];
            s4 += a[k + 4] * b[k + 4];
            s5 += a[k + 5] * b[k + 5];
            s6 += a[k + 6] * b[k + 6];
            s7 += a[k + 7] * b[k + 7];
        }
        double r = (((double) s0 + s1) + ((double) s2 + s3)) + (((double) s4 + s5) + ((double) s6 + s7));
        for (; k < end; k++) {
            r += (double) a[k] * b[k];
        }
        return r;
    }
}
