package org.gradlab.engine.backend.cpu;

import java.util.Arrays;

/**
 * dL/dw of the depthwise convs that run plane by plane ({@link DepthwisePlanes32}):
 * dL/dw[oc, ki, kj] = sum over samples n and outputs (oh, ow) of
 * dL/dout[n, oc, oh, ow] * xpad[n, ic, oh*sh + ki, ow*sw + kj] (xpad: x zero-padded, oc = ic*mult + m).
 *
 * <p>How: a block of samples side by side in rows, the padded columns split into P phases (column
 * pc in phase pc mod P at pc div P): P = sw when several filters read the channel (the stem's 32),
 * which amortise the split, else 1 (the split is a scalar loop that costs one 3x3 filter more than
 * the halved work saves: bench/README.md, "EfficientNet-B0: depthwise filter gradient"). rows[p][r]
 * holds phase p of padded row r of every sample of the block, one after another ({@code cols} =
 * ceil((w + 2pw) / P) floats each); shifted[kj][r] is rows[kj mod P][r] from element kj div P on (the
 * same arrays where that is 0, else a copy: C2 vectorises only loops whose arrays share one index,
 * see DepthwisePlanes32); grad[oh] holds dL/dout's row oh of every sample at the same places, output
 * (oh, ow) at ow*sw/P, zero between. Then tap (ki, kj) is
 * sum[t][j] += grad[oh][j] * shifted[kj][oh*sh + ki][j] over every output row oh and every j: a
 * kernel row's taps read different rows, not different windows, so a block costs kw - P copies of
 * its padded rows instead of kh*kw window copies per plane, and three output rows go into one
 * accumulator pass (one load and store of sum[t] per three products, where grid-long sums with one
 * product per pass were bound by them). NOTE: a product that crosses from one sample's row into the
 * next (j + kj div P past the row's end) meets a zero gradient: (ow*sw + kj) div P <= (w + 2pw - 1)
 * div P. Each sum[t][j] adds up its products in float over the blocks, then the j in double.
 */
final class DepthwiseFilterGradient32 {
    /** Floats of one row array: how many samples a block puts side by side. */
    static final int ROW_FLOATS = 512;

    private DepthwiseFilterGradient32() {}

    /**
     * gw (written whole) = dL/dw; input channels split across threads, so no sum crosses threads. With the
     * vector kernels on ({@link VectorLanes}): {@link DepthwiseFilterGradientInLanes32}.
     */
    static void backwardWeight(CpuStorage gy, long go, CpuStorage x, long xo, CpuStorage gw, int n, int cin, int mult,
                               Im2col.Geo g) {
        if (VectorLanes.ENABLED) {
            DepthwiseFilterGradientInLanes32.backwardWeight(gy, go, x, xo, gw, n, cin, mult, g);
            return;
        }
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int phases = phases(mult, g);
        int cols = DepthwisePlanes32.ceil(g.w() + 2 * g.pw(), phases); // of one sample in one phase
        int per = samplesPerBlock(n, cols);
        int width = per * cols;
        int hp = g.h() + 2 * g.ph();
        long wa = OffHeap.floats(gw, 0, (long) cout * kk);
        Parallel.forChunks(cin, Parallel.grain((long) n * mult * l * kk), (c, ic0, ic1) -> {
            // all zero: only the input's places in rows (and in its copies) are ever written
            float[][][] rows = new float[phases][hp][width + (g.kw() - 1) / phases];
            float[][][] shifted = new float[g.kw()][][];
            for (int kj = 0; kj < g.kw(); kj++) {
                shifted[kj] = kj < phases ? rows[kj] : new float[hp][width];
            }
            float[][] grad = new float[g.ho()][width]; // zero: only the outputs' places are written
            float[][] sums = new float[mult * kk][width];
            for (int ic = ic0; ic < ic1; ic++) {
                for (float[] row : sums) {
                    Arrays.fill(row, 0f);
                }
                for (int s0 = 0; s0 < n; s0 += per) {
                    int count = Math.min(per, n - s0);
                    int span = count * cols;
                    loadRows(x, xo + ((long) s0 * cin + ic) * hw, (long) cin * hw, count, g, cols, rows, shifted, span);
                    for (int m = 0; m < mult; m++) {
                        long at = go + ((long) s0 * cout + ic * mult + m) * l;
                        loadGradient(gy, at, (long) cout * l, count, g, cols, g.sw() / phases, grad);
                        addTaps(sums, m * kk, grad, shifted, g, span);
                    }
                }
                for (int mt = 0; mt < mult * kk; mt++) {
                    double sum = 0;
                    float[] row = sums[mt];
                    for (int j = 0; j < width; j++) {
                        sum += row[j];
                    }
                    OffHeap.put(wa, ic * mult * kk + mt, (float) sum);
                }
            }
        });
    }

    /** The column phases P: sw where several filters read a channel, else 1 (see the class comment). */
    static int phases(int mult, Im2col.Geo g) {
        return mult > 1 ? g.sw() : 1;
    }

    /** Samples per block of rows of {@code cols} floats each: at most ROW_FLOATS floats a row, the blocks as even as they go. */
    static int samplesPerBlock(int n, int cols) {
        int blocks = DepthwisePlanes32.ceil(n, Math.max(1, Math.min(n, ROW_FLOATS / cols)));
        return DepthwisePlanes32.ceil(n, blocks);
    }

    /**
     * The block's input planes (count of them, {@code stride} floats apart from {@code at}) into the
     * phase rows: plane q's (ih, iw) is padded (ih + ph, pc = iw + pw), at rows[pc mod P][ih + ph][q*cols
     * + pc div P]; then the copies shifted[kj] for the rows that hold input (padding rows stay zero). A
     * partial block zeroes what its copies read past {@code span}.
     */
    private static void loadRows(CpuStorage x, long at, long stride, int count, Im2col.Geo g, int cols, float[][][] rows,
                                 float[][][] shifted, int span) {
        int phases = rows.length;
        for (int q = 0; q < count; q++) {
            float[] plane = HeapStage.load(3, x.f32(), (int) (at + q * stride), g.h() * g.w());
            for (int ih = 0; ih < g.h(); ih++) {
                int r = ih + g.ph();
                if (phases == 1) {
                    System.arraycopy(plane, ih * g.w(), rows[0][r], q * cols + g.pw(), g.w());
                    continue;
                }
                for (int p = 0; p < phases; p++) { // padded column pc = p + phases*c, input column iw = pc - pw
                    float[] dst = rows[p][r];
                    int c = Math.max(0, DepthwisePlanes32.ceil(g.pw() - p, phases));
                    for (int iw = p + phases * c - g.pw(), to = q * cols + c; iw < g.w(); iw += phases, to++) {
                        dst[to] = plane[ih * g.w() + iw];
                    }
                }
            }
        }
        int reach = (g.kw() - 1) / phases;
        for (int r = g.ph(); r < g.ph() + g.h(); r++) {
            for (int p = 0; p < phases; p++) {
                Arrays.fill(rows[p][r], span, span + reach, 0f);
            }
            for (int kj = phases; kj < g.kw(); kj++) {
                System.arraycopy(rows[kj % phases][r], kj / phases, shifted[kj][r], 0, span);
            }
        }
    }

    /**
     * The block's output gradient planes (count, {@code stride} apart from {@code at}): output (oh, ow)
     * of plane q at grad[oh][q*cols + ow*step].
     */
    private static void loadGradient(CpuStorage gy, long at, long stride, int count, Im2col.Geo g, int cols, int step,
                                     float[][] grad) {
        for (int q = 0; q < count; q++) {
            float[] plane = HeapStage.load(4, gy.f32(), (int) (at + q * stride), g.ho() * g.wo());
            for (int oh = 0; oh < g.ho(); oh++) {
                if (step == 1) {
                    System.arraycopy(plane, oh * g.wo(), grad[oh], q * cols, g.wo());
                    continue;
                }
                float[] row = grad[oh];
                for (int ow = 0; ow < g.wo(); ow++) {
                    row[q * cols + ow * step] = plane[oh * g.wo() + ow];
                }
            }
        }
    }

    /** sums[first + t][j] += grad[oh][j] * shifted[kj][oh*sh + ki][j] for every tap t = ki*kw + kj, output row oh, j < span. */
    private static void addTaps(float[][] sums, int first, float[][] grad, float[][][] shifted, Im2col.Geo g, int span) {
        int sh = g.sh();
        int oh = 0;
        for (; oh + 2 < g.ho(); oh += 3) {
            for (int ki = 0; ki < g.kh(); ki++) {
                int r = oh * sh + ki;
                for (int kj = 0; kj < g.kw(); kj++) {
                    float[][] x = shifted[kj];
                    addThree(sums[first + ki * g.kw() + kj], grad[oh], x[r], grad[oh + 1], x[r + sh], grad[oh + 2], x[r + 2 * sh],
                            span);
                }
            }
        }
        for (; oh < g.ho(); oh++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    addProducts(sums[first + ki * g.kw() + kj], grad[oh], shifted[kj][oh * sh + ki], span);
                }
            }
        }
    }

    /** sum[j] += a[j] * u[j] + b[j] * v[j] + c[j] * z[j] for j < len. */
    private static void addThree(float[] sum, float[] a, float[] u, float[] b, float[] v, float[] c, float[] z, int len) {
        for (int j = 0; j < len; j++) {
            sum[j] += a[j] * u[j] + b[j] * v[j] + c[j] * z[j];
        }
    }

    /** sum[j] += a[j] * u[j] for j < len. */
    private static void addProducts(float[] sum, float[] a, float[] u, int len) {
        for (int j = 0; j < len; j++) {
            sum[j] += a[j] * u[j];
        }
    }
}
