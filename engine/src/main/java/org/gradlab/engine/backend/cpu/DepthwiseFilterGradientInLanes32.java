package org.gradlab.engine.backend.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DepthwiseFilterGradient32} in the JDK's vector API: dL/dw[oc, ki, kj] = sum over samples
 * and outputs (oh, ow) of dL/dout[n, oc, oh, ow] * xpad[n, ic, oh*sh + ki, ow*sw + kj], each tap's
 * sum held in a vector register: per vector of dL/dout one load of x and one fused multiply-add per
 * tap, for all nine taps of a 3x3 kernel at once (a kernel row at a time for 5 wide, one tap at a
 * time for other kernels). The plain loop loads and stores a grid-long float sum per three products.
 *
 * <p>Layout: the same blocks of samples side by side and the same column phases P as the plain
 * loop, but each block flat: the gradient as ho rows of R floats (R: the block's padded columns
 * plus the taps' reach, rounded up to whole vectors), output (oh, ow) of sample q at
 * oh*R + q*cols + ow*sw/P; x as sh x P planes, padded row r of column phase p in plane
 * (r mod sh, p) at row r div sh. Then tap (ki, kj) reads plane (ki mod sh, kj mod P) at
 * start = (ki div sh)*R + kj div P, and sum[t] = sum over i of grad[i] * plane[start + i]: ONE
 * loop over the gradient (JDK 17's C2 keeps vector sums in registers only across a single loop;
 * across nested loops it boxes them, ten times slower).
 *
 * <p>Precision: each float lane of a sum adds at most {@link #PRODUCTS_PER_FLUSH} products (whole
 * gradient rows, at least one) before the lanes go one by one into the tap's double sum; the plain
 * loop's float sums add ho products per block of samples, three per step. At 64 the float32 error
 * against float64 is the plain loop's (at 128 up to twice it; bench/README.md, "EfficientNet-B0:
 * depthwise filter gradient in vector registers"). NOTE: what the taps read past a sample's row
 * meets a zero gradient (the next sample's padding columns, or the tail of a row past the block);
 * in a partial last block the gradient past it holds the previous block's values, so x is zeroed
 * there. The products are the plain loop's, added in another order.
 */
final class DepthwiseFilterGradientInLanes32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Products one lane of a tap's float sum adds before the lanes go into double. */
    static final int PRODUCTS_PER_FLUSH = 64;

    private DepthwiseFilterGradientInLanes32() {}

    /** gw (written whole) = dL/dw; input channels split across threads, so no sum crosses threads. */
    static void backwardWeight(CpuStorage gy, long go, CpuStorage x, long xo, CpuStorage gw, int n, int cin, int mult,
                               Im2col.Geo g) {
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int phases = DepthwiseFilterGradient32.phases(mult, g);
        int cols = DepthwisePlanes32.ceil(g.w() + 2 * g.pw(), phases); // of one sample in one phase
        int per = DepthwiseFilterGradient32.samplesPerBlock(n, cols);
        int stride = DepthwisePlanes32.ceil(per * cols + (g.kw() - 1) / phases, L) * L; // R
        int rowsPerPlane = DepthwisePlanes32.ceil(g.h() + 2 * g.ph(), g.sh()) + 1;
        int cells = g.ho() * stride;
        int rowsPerFlush = Math.max(1, PRODUCTS_PER_FLUSH / (stride / L));
        int[] plane = new int[kk]; // tap t reads planes[plane[t]] from start[t]
        int[] start = new int[kk];
        for (int ki = 0; ki < g.kh(); ki++) {
            for (int kj = 0; kj < g.kw(); kj++) {
                plane[ki * g.kw() + kj] = (ki % g.sh()) * phases + kj % phases;
                start[ki * g.kw() + kj] = (ki / g.sh()) * stride + kj / phases;
            }
        }
        long wa = OffHeap.floats(gw, 0, (long) cout * kk);
        Parallel.forChunks(cin, Parallel.grain((long) n * mult * l * kk), (c, ic0, ic1) -> {
            // zero: only the input's and the outputs' places are ever written
            float[][] planes = new float[g.sh() * phases][rowsPerPlane * stride];
            float[] grad = new float[cells];
            float[][] src = new float[kk][];
            for (int t = 0; t < kk; t++) {
                src[t] = planes[plane[t]];
            }
            double[] sums = new double[mult * kk];
            float[] lanes = new float[L];
            for (int ic = ic0; ic < ic1; ic++) {
                Arrays.fill(sums, 0);
                for (int s0 = 0; s0 < n; s0 += per) {
                    int count = Math.min(per, n - s0);
                    loadPlanes(x, xo + ((long) s0 * cin + ic) * hw, (long) cin * hw, count, per, g, cols, stride, planes);
                    for (int m = 0; m < mult; m++) {
                        long at = go + ((long) s0 * cout + ic * mult + m) * l;
                        loadGradient(gy, at, (long) cout * l, count, g, cols, g.sw() / phases, stride, grad);
                        for (int from = 0; from < cells; from += rowsPerFlush * stride) {
                            addTaps(sums, m * kk, g, grad, src, start, from, Math.min(cells, from + rowsPerFlush * stride), lanes);
                        }
                    }
                }
                for (int mt = 0; mt < mult * kk; mt++) {
                    OffHeap.put(wa, ic * mult * kk + mt, (float) sums[mt]);
                }
            }
        });
    }

    /**
     * The block's input planes (count of {@code per}, {@code step} floats apart from {@code at}): plane q's
     * (ih, iw) is padded (r = ih + ph, pc = iw + pw), at planes[(r mod sh)*P + pc mod P][(r div sh)*R + q*cols + pc div P].
     * A partial block zeroes its rows from its end on (the previous block's x there would meet its gradient).
     */
    private static void loadPlanes(CpuStorage x, long at, long step, int count, int per, Im2col.Geo g, int cols, int stride,
                                   float[][] planes) {
        int phases = planes.length / g.sh();
        for (int q = 0; q < count; q++) {
            float[] src = HeapStage.load(3, x.f32(), (int) (at + q * step), g.h() * g.w());
            if (phases == 1) { // row phase a: the input rows ih with (ih + ph) mod sh = a, every sh-th from ih0
                for (int a = 0; a < g.sh(); a++) {
                    int ih0 = Math.floorMod(a - g.ph(), g.sh());
                    int rows = DepthwisePlanes32.ceil(Math.max(0, g.h() - ih0), g.sh());
                    TapSums32.copyRows(src, ih0 * g.w(), g.sh() * g.w(), planes[a], ((ih0 + g.ph()) / g.sh()) * stride
                            + q * cols + g.pw(), stride, rows, g.w());
                }
                continue;
            }
            for (int ih = 0; ih < g.h(); ih++) {
                int r = ih + g.ph();
                int row = (r / g.sh()) * stride + q * cols;
                for (int p = 0; p < phases; p++) { // padded column pc = p + phases*k, input column iw = pc - pw
                    float[] dst = planes[(r % g.sh()) * phases + p];
                    int k = Math.max(0, DepthwisePlanes32.ceil(g.pw() - p, phases));
                    for (int iw = p + phases * k - g.pw(), to = row + k; iw < g.w(); iw += phases, to++) {
                        dst[to] = src[ih * g.w() + iw];
                    }
                }
            }
        }
        if (count < per) {
            for (float[] pl : planes) {
                for (int row = 0; row < pl.length; row += stride) {
                    Arrays.fill(pl, row + count * cols, row + stride, 0f);
                }
            }
        }
    }

    /** The block's output gradient planes (count, {@code step} apart from {@code at}): output (oh, ow) of plane q at grad[oh*R + q*cols + ow*every]. */
    private static void loadGradient(CpuStorage gy, long at, long step, int count, Im2col.Geo g, int cols, int every, int stride,
                                     float[] grad) {
        for (int q = 0; q < count; q++) {
            float[] src = HeapStage.load(4, gy.f32(), (int) (at + q * step), g.ho() * g.wo());
            if (every == 1) {
                TapSums32.copyRows(src, 0, g.wo(), grad, q * cols, stride, g.ho(), g.wo());
                continue;
            }
            for (int oh = 0; oh < g.ho(); oh++) {
                int row = oh * stride + q * cols;
                for (int ow = 0; ow < g.wo(); ow++) {
                    grad[row + ow * every] = src[oh * g.wo() + ow];
                }
            }
        }
    }

    /** sums[first + t] += sum over from &lt;= i &lt; to of grad[i] * src[t][start[t] + i], every tap t. */
    private static void addTaps(double[] sums, int first, Im2col.Geo g, float[] grad, float[][] src, int[] start, int from,
                                int to, float[] lanes) {
        if (g.kh() == 3 && g.kw() == 3) {
            nineTaps(sums, first, grad, src, start, from, to, lanes);
        } else if (g.kw() == 5) {
            for (int t = 0; t < g.kh() * 5; t += 5) {
                fiveTaps(sums, first, t, grad, src, start, from, to, lanes);
            }
        } else {
            for (int t = 0; t < g.kh() * g.kw(); t++) {
                oneTap(sums, first, t, grad, src, start, from, to, lanes);
            }
        }
    }

    /** The nine taps of a 3x3 kernel, each summed in its own vector. */
    private static void nineTaps(double[] sums, int first, float[] grad, float[][] src, int[] start, int from, int to,
                                 float[] lanes) {
        float[] x0 = src[0];
        float[] x1 = src[1];
        float[] x2 = src[2];
        float[] x3 = src[3];
        float[] x4 = src[4];
        float[] x5 = src[5];
        float[] x6 = src[6];
        float[] x7 = src[7];
        float[] x8 = src[8];
        int o0 = start[0];
        int o1 = start[1];
        int o2 = start[2];
        int o3 = start[3];
        int o4 = start[4];
        int o5 = start[5];
        int o6 = start[6];
        int o7 = start[7];
        int o8 = start[8];
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector s4 = s0;
        FloatVector s5 = s0;
        FloatVector s6 = s0;
        FloatVector s7 = s0;
        FloatVector s8 = s0;
        for (int i = from; i < to; i += L) {
            FloatVector gv = FloatVector.fromArray(S, grad, i);
            s0 = FloatVector.fromArray(S, x0, o0 + i).fma(gv, s0);
            s1 = FloatVector.fromArray(S, x1, o1 + i).fma(gv, s1);
            s2 = FloatVector.fromArray(S, x2, o2 + i).fma(gv, s2);
            s3 = FloatVector.fromArray(S, x3, o3 + i).fma(gv, s3);
            s4 = FloatVector.fromArray(S, x4, o4 + i).fma(gv, s4);
            s5 = FloatVector.fromArray(S, x5, o5 + i).fma(gv, s5);
            s6 = FloatVector.fromArray(S, x6, o6 + i).fma(gv, s6);
            s7 = FloatVector.fromArray(S, x7, o7 + i).fma(gv, s7);
            s8 = FloatVector.fromArray(S, x8, o8 + i).fma(gv, s8);
        }
        sums[first] += inDouble(s0, lanes);
        sums[first + 1] += inDouble(s1, lanes);
        sums[first + 2] += inDouble(s2, lanes);
        sums[first + 3] += inDouble(s3, lanes);
        sums[first + 4] += inDouble(s4, lanes);
        sums[first + 5] += inDouble(s5, lanes);
        sums[first + 6] += inDouble(s6, lanes);
        sums[first + 7] += inDouble(s7, lanes);
        sums[first + 8] += inDouble(s8, lanes);
    }

    /** The five taps t .. t + 4 (one row of a 5-wide kernel), each summed in its own vector. */
    private static void fiveTaps(double[] sums, int first, int t, float[] grad, float[][] src, int[] start, int from, int to,
                                 float[] lanes) {
        float[] x0 = src[t];
        float[] x1 = src[t + 1];
        float[] x2 = src[t + 2];
        float[] x3 = src[t + 3];
        float[] x4 = src[t + 4];
        int o0 = start[t];
        int o1 = start[t + 1];
        int o2 = start[t + 2];
        int o3 = start[t + 3];
        int o4 = start[t + 4];
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector s4 = s0;
        for (int i = from; i < to; i += L) {
            FloatVector gv = FloatVector.fromArray(S, grad, i);
            s0 = FloatVector.fromArray(S, x0, o0 + i).fma(gv, s0);
            s1 = FloatVector.fromArray(S, x1, o1 + i).fma(gv, s1);
            s2 = FloatVector.fromArray(S, x2, o2 + i).fma(gv, s2);
            s3 = FloatVector.fromArray(S, x3, o3 + i).fma(gv, s3);
            s4 = FloatVector.fromArray(S, x4, o4 + i).fma(gv, s4);
        }
        sums[first + t] += inDouble(s0, lanes);
        sums[first + t + 1] += inDouble(s1, lanes);
        sums[first + t + 2] += inDouble(s2, lanes);
        sums[first + t + 3] += inDouble(s3, lanes);
        sums[first + t + 4] += inDouble(s4, lanes);
    }

    /** The lanes of v added up in double (through {@code lanes}, one vector of scratch). */
    private static double inDouble(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        double sum = 0;
        for (float f : lanes) {
            sum += f;
        }
        return sum;
    }

    /** Tap t alone (kernels other than 3x3 and 5 wide). */
    private static void oneTap(double[] sums, int first, int t, float[] grad, float[][] src, int[] start, int from, int to,
                                 float[] lanes) {
        float[] x = src[t];
        int o = start[t];
        FloatVector s = FloatVector.zero(S);
        for (int i = from; i < to; i += L) {
            s = FloatVector.fromArray(S, x, o + i).fma(FloatVector.fromArray(S, grad, i), s);
        }
        sums[first + t] += inDouble(s, lanes);
    }
}
