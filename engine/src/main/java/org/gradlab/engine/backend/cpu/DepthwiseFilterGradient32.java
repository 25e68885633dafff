package org.gradlab.engine.backend.cpu;

import java.util.Arrays;

/**
 * dL/dw of the depthwise convs that run plane by plane ({@link DepthwisePlanes32}):
 * dL/dw[oc, ki, kj] = sum over samples n and outputs (oh, ow) of
 * dL/dout[n, oc, oh, ow] * xpad[n, ic, oh*sh + ki, ow*sw + kj] (xpad: x zero-padded, oc = ic*mult + m).
 *
 * <p>How: a block of samples side by side in rows. rows[r] holds padded row r of every sample of the
 * block, one after another (cols = w + 2pw floats each); shifted[kj][r] is rows[r] from element kj on
 * (a copy: C2 vectorises only loops whose arrays share one index, see DepthwisePlanes32); grad[oh]
 * holds dL/dout's row oh of every sample at the same places, output (oh, ow) at column ow*sw (the
 * other columns zero). Then tap (ki, kj) is sum[t][j] += grad[oh][j] * shifted[kj][oh*sh + ki][j]
 * over every output row oh and every j: a kernel row's taps read different rows, not different
 * windows, so a block costs kw - 1 copies of its padded rows instead of kh*kw window copies, and two
 * output rows go into one accumulator pass (one load and store of sum[t] per two products). NOTE:
 * a product that crosses from one sample's row into the next (j + kj past the row's end) meets a
 * zero gradient: output columns stop at (wo - 1)*sw <= cols - kw. Each sum[t][j] adds up its products
 * in float over the blocks, then the j in double.
 */
final class DepthwiseFilterGradient32 {
    /** Floats of one row array: how many samples a block puts side by side (cols each). */
    static final int ROW_FLOATS = Integer.getInteger("gradlab.dwRowFloats", 512);

    private DepthwiseFilterGradient32() {}

    /** gw (written whole) = dL/dw; input channels split across threads, so no sum crosses threads. */
    static void backwardWeight(CpuStorage gy, long go, CpuStorage x, long xo, CpuStorage gw, int n, int cin, int mult,
                               Im2col.Geo g) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int cols = g.w() + 2 * g.pw();
        int blocks = DepthwisePlanes32.ceil(n, Math.max(1, Math.min(n, ROW_FLOATS / cols)));
        int per = DepthwisePlanes32.ceil(n, blocks); // samples per block, the blocks as even as they go
        int width = per * cols;
        long wa = OffHeap.floats(gw, 0, (long) cout * kk);
        Parallel.forChunks(cin, Parallel.grain((long) n * mult * l * kk), (c, ic0, ic1) -> {
            // all zero: only the interior of rows (and of its copies) and the kept cells of grad are ever written
            float[][][] shifted = new float[g.kw()][g.h() + 2 * g.ph()][];
            for (int kj = 0; kj < g.kw(); kj++) {
                for (int r = 0; r < shifted[kj].length; r++) {
                    shifted[kj][r] = new float[kj == 0 ? width + g.kw() - 1 : width];
                }
            }
            float[][] grad = new float[g.ho()][width];
            float[][] sums = new float[mult * kk][width];
            for (int ic = ic0; ic < ic1; ic++) {
                for (float[] row : sums) {
                    Arrays.fill(row, 0f);
                }
                for (int s0 = 0; s0 < n; s0 += per) {
                    int count = Math.min(per, n - s0);
                    int span = count * cols;
                    loadRows(x, xo + ((long) s0 * cin + ic) * hw, (long) cin * hw, count, g, cols, shifted, span);
                    for (int m = 0; m < mult; m++) {
                        loadGradient(gy, go + ((long) s0 * cout + ic * mult + m) * l, (long) cout * l, count, g, cols, grad);
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

    /**
     * The block's input planes (count of them, {@code stride} floats apart from {@code at}) into rows =
     * shifted[0]: plane q's row ih at rows[ih + ph], from q*cols + pw; then shifted[kj] = rows from kj on
     * for the rows that hold input (the padding rows stay zero). A partial block zeroes what its last
     * row's copies read past {@code span}.
     */
    private static void loadRows(CpuStorage x, long at, long stride, int count, Im2col.Geo g, int cols, float[][][] shifted,
                                 int span) {
        float[][] rows = shifted[0];
        for (int q = 0; q < count; q++) {
            float[] plane = HeapStage.load(3, x.f32(), (int) (at + q * stride), g.h() * g.w());
            for (int ih = 0; ih < g.h(); ih++) {
                System.arraycopy(plane, ih * g.w(), rows[ih + g.ph()], q * cols + g.pw(), g.w());
            }
        }
        for (int r = g.ph(); r < g.ph() + g.h(); r++) {
            Arrays.fill(rows[r], span, span + g.kw() - 1, 0f);
            for (int kj = 1; kj < g.kw(); kj++) {
                System.arraycopy(rows[r], kj, shifted[kj][r], 0, span);
            }
        }
    }

    /** The block's output gradient planes (count, {@code stride} apart from {@code at}): output (oh, ow) of plane q at grad[oh][q*cols + ow*sw]. */
    private static void loadGradient(CpuStorage gy, long at, long stride, int count, Im2col.Geo g, int cols, float[][] grad) {
        for (int q = 0; q < count; q++) {
            float[] plane = HeapStage.load(4, gy.f32(), (int) (at + q * stride), g.ho() * g.wo());
            for (int oh = 0; oh < g.ho(); oh++) {
                float[] row = grad[oh];
                int to = q * cols;
                if (g.sw() == 1) {
                    System.arraycopy(plane, oh * g.wo(), row, to, g.wo());
                } else {
                    for (int ow = 0; ow < g.wo(); ow++) {
                        row[to + ow * g.sw()] = plane[oh * g.wo() + ow];
                    }
                }
            }
        }
    }

    /** sums[first + t][j] += grad[oh][j] * shifted[kj][oh*sh + ki][j] for every tap t = ki*kw + kj, output row oh and j < span. */
    private static void addTaps(float[][] sums, int first, float[][] grad, float[][][] shifted, Im2col.Geo g, int span) {
        int oh = 0;
        for (; oh + 1 < g.ho(); oh += 2) {
            float[] g0 = grad[oh];
            float[] g1 = grad[oh + 1];
            for (int ki = 0; ki < g.kh(); ki++) {
                int r = oh * g.sh() + ki;
                for (int kj = 0; kj < g.kw(); kj++) {
                    addPair(sums[first + ki * g.kw() + kj], g0, shifted[kj][r], g1, shifted[kj][r + g.sh()], span);
                }
            }
        }
        if (oh < g.ho()) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    addProducts(sums[first + ki * g.kw() + kj], grad[oh], shifted[kj][oh * g.sh() + ki], span);
                }
            }
        }
    }

    /** sum[j] += a[j] * u[j] + b[j] * v[j] for j < len. */
    private static void addPair(float[] sum, float[] a, float[] u, float[] b, float[] v, int len) {
        for (int j = 0; j < len; j++) {
            sum[j] += a[j] * u[j] + b[j] * v[j];
        }
    }

    /** sum[j] += a[j] * u[j] for j < len. */
    private static void addProducts(float[] sum, float[] a, float[] u, int len) {
        for (int j = 0; j < len; j++) {
            sum[j] += a[j] * u[j];
        }
    }
}
