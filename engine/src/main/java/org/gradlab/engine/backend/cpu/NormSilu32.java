package org.gradlab.engine.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.gradlab.engine.backend.UnaryFn;

/**
 * Batch norm + SiLU's float32 forward over a piece of channels [c0, c1) of a contiguous (N, C, S)
 * input ({@link CpuNorm}): the channels' mean and variance, then out = silu(x * scale[ch] +
 * shift[ch]) stored into the output and, when asked, the mean of each (n, c) plane of out
 * (squeeze-excitation's squeeze).
 *
 * <p>How: whole planes go in blocks of at most {@link #BLOCK} positions, and each
 * sample's block is copied from x to index 0 of a first-level-cache array, where every loop runs
 * vectorised (NOTE: C2 vectorises a loop only when all its arrays are indexed alike, see
 * {@link SmallPlanes32}). The statistics sum d = x - K and d^2 per position across the samples,
 * then over each plane's positions; the element pass is {@link #siluOfAffine} with
 * the coefficients spread over the block's positions (the same for every sample), the plane sums
 * read its result there, and it is stored from there (with the vector kernels on, {@link
 * NormSiluLanes32}: one pass, each vector stored from its register into the output). No piece of x is staged whole, and the
 * output never goes through a piece-sized array (bench/README.md, "EfficientNet-B0: batch norm +
 * SiLU forward (issue 14, 2026-12-05, branch bnfwd)"). Planes above a block take the staged piece
 * ({@link #piecewise}).
 */
final class NormSilu32 {
    /** Positions per block: the block's arrays (8 KiB each) stay in the first-level cache. */
    private static final int BLOCK = 2048;
    /**
     * Per thread: 0 a sample's block of x, 1 and 2 the spread scale and shift (or shift K), 3 and 4
     * the sums; 5 and 6 SiLU's e^r and powers of two.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[7][BLOCK]);
    private static final ThreadLocal<int[]> BITS = ThreadLocal.withInitial(() -> new int[BLOCK]);

    private NormSilu32() {}

    /** Whether planes of {@code s} positions go in blocks (else {@link #piecewise} on a staged piece). */
    static boolean blocked(int s) {
        return s <= BLOCK;
    }

    /**
     * mean[ch] and var[ch] (biased) for ch in [c0, c1) of the (N, C, S) input at {@code off} in
     * {@code src}, s <= BLOCK: with a shift K per channel, d = x - K, mean = K + sum d / count, var =
     * sum d^2 / count - (sum d / count)^2 ({@link ChannelLoops32#meanAndVariance}'s formula), K the
     * mean of sample 0's plane. Sums per position across the samples in float (d^2 by fused
     * multiply-adds), then over a plane's positions with {@link RowLoops32#sum} in double; with the
     * vector kernels on and planes of whole blocks of vectors, each sample's plane in vector registers,
     * then across the samples in double ({@link NormSiluLanes32#shiftedPlaneSums}).
     *
     * <p>NOTE: the subtraction cancels a factor F = (sum d^2 / count) / var of the variance's digits
     * (at most 1 + n), and float sums across n samples leave about n ulps to cancel: a channel with F
     * above {@link #CANCELLATION} is summed again with K its mean (then F is about 1). Whether that
     * happens depends on the channel's data only, so the bits do not depend on the split into pieces.
     */
    static void meanAndVariance(FloatBuffer src, int off, int n, int c, int s, int c0, int c1, double[] mean, double[] var) {
        float[][] scratch = SCRATCH.get();
        float[] shifts = scratch[1];
        float[] sumD = scratch[3];
        float[] sumD2 = scratch[4];
        long count = (long) n * s;
        for (int j0 = c0, planes = BLOCK / s; j0 < c1; j0 += planes) {
            int j1 = Math.min(c1, j0 + planes);
            int len = (j1 - j0) * s;
            float[] k = new float[j1 - j0];
            src.get(off + j0 * s, shifts, 0, len);
            for (int j = 0; j < k.length; j++) {
                k[j] = (float) (RowLoops32.sum(shifts, j * s, s) / s);
            }
            boolean[] again = new boolean[k.length];
            double[] planeD = new double[k.length];
            double[] planeD2 = new double[k.length];
            for (int pass = 0; pass < 2; pass++) {
                if (VectorLanes.ENABLED && NormSiluLanes32.sumsPlanes(s)) {
                    NormSiluLanes32.shiftedPlaneSums(src, off + j0 * s, n, c * s, s, k, planeD, planeD2, scratch[0]);
                } else {
                    for (int j = 0; j < k.length; j++) {
                        Arrays.fill(shifts, j * s, (j + 1) * s, k[j]);
                    }
                    shiftedSums(src, off + j0 * s, n, c * s, len, shifts, sumD, sumD2, scratch[0]);
                    for (int j = 0; j < k.length; j++) {
                        planeD[j] = RowLoops32.sum(sumD, j * s, s);
                        planeD2[j] = RowLoops32.sum(sumD2, j * s, s);
                    }
                }
                boolean any = false;
                for (int j = 0; j < k.length; j++) {
                    if (pass == 1 && !again[j]) {
                        continue;
                    }
                    double md = planeD[j] / count;
                    double md2 = planeD2[j] / count;
                    mean[j0 + j] = k[j] + md;
                    var[j0 + j] = Math.max(0, md2 - md * md);
                    again[j] = md * md > (1 - 1.0 / CANCELLATION) * md2;
                    any |= again[j];
                    k[j] = (float) mean[j0 + j];
                }
                if (!any) {
                    break;
                }
            }
        }
    }

    /** Whether batch norm + SiLU's backward takes its vector passes ({@link NormSiluLanes32#siluGradientSums}) on planes of {@code s}. */
    static boolean backwardInLanes(int s) {
        return VectorLanes.ENABLED && NormSiluLanes32.backwardTakes(s);
    }

    /**
     * Where batch norm + SiLU's vector backward ({@link NormSiluLanes32#siluGradientSums}) reads g, x and
     * the forward's output: the tensors' memory (native-order byte views, float offsets) when
     * {@code read}, else the staged pieces. NOTE: read in place on planes of at least four vectors, where
     * the loads' misses then overlap the arithmetic; on smaller planes the per-plane setup of the
     * reads cost more than the staging copies (bench/README.md, branch bnsilu).
     */
    record Operands(boolean read, ByteBuffer g, int go, ByteBuffer x, int xo, ByteBuffer out, int oo) {
        static Operands unstaged(int s, CpuStorage g, int go, CpuStorage x, int xo, CpuStorage out, int oo) {
            boolean read = NormSiluLanes32.readsInPlace(s);
            return read ? new Operands(true, g.buffer().asBytes(), go, x.buffer().asBytes(), xo, out.buffer().asBytes(), oo)
                    : new Operands(false, null, 0, null, 0, null, 0);
        }
    }

    /** The cancellation factor above which {@link #meanAndVariance} sums a channel again around its mean. */
    static final double CANCELLATION = 4;

    /**
     * sumD[p] = sum over the samples of d = x - shifts[p], sumD2[p] = sum of d^2, for the block of
     * {@code len} positions at {@code at} in each of the n samples ({@code stride} apart).
     */
    private static void shiftedSums(FloatBuffer src, int at, int n, int stride, int len, float[] shifts, float[] sumD,
                                    float[] sumD2, float[] block) {
        Arrays.fill(sumD, 0, len, 0f);
        Arrays.fill(sumD2, 0, len, 0f);
        for (int i = 0; i < n; i++) {
            src.get(at + i * stride, block, 0, len);
            for (int p = 0; p < len; p++) {
                float d = block[p] - shifts[p];
                sumD[p] += d;
                sumD2[p] = Math.fma(d, d, sumD2[p]);
            }
        }
    }

    /**
     * Channels [c0, c1) of the contiguous (N, C, S) output {@code dst} (from index 0) = silu(x * scale
     * + shift), scale and shift per channel from c0, x the input at {@code off} in {@code src}, s <=
     * BLOCK; {@code planeMeans} (null: not asked for) gets each plane's mean at [n * C + c], with the
     * global pool's arithmetic ({@link RowLoops32#sum} over the plane, then / S). With the vector
     * kernels on, the element pass stores each vector of output straight into {@code out}'s memory
     * ({@link NormSiluLanes32#siluOfAffineStore}).
     */
    static void affineSiluStore(FloatBuffer src, int off, int n, int c, int s, int c0, int c1, float[] scale, float[] shift,
                                CpuStorage out, float[] planeMeans) {
        FloatBuffer dst = out.f32();
        ByteBuffer dstBytes = VectorLanes.ENABLED ? out.buffer().asBytes() : null;
        float[][] scratch = SCRATCH.get();
        float[] block = scratch[0];
        float[] scaleRow = scratch[1];
        float[] shiftRow = scratch[2];
        for (int j0 = c0, planes = BLOCK / s; j0 < c1; j0 += planes) {
            int j1 = Math.min(c1, j0 + planes);
            int len = (j1 - j0) * s;
            for (int j = j0; j < j1; j++) {
                Arrays.fill(scaleRow, (j - j0) * s, (j - j0 + 1) * s, scale[j - c0]);
                Arrays.fill(shiftRow, (j - j0) * s, (j - j0 + 1) * s, shift[j - c0]);
            }
            for (int i = 0; i < n; i++) {
                src.get(off + (i * c + j0) * s, block, 0, len);
                int at = (i * c + j0) * s;
                if (dstBytes != null) {
                    NormSiluLanes32.siluOfAffineStore(block, scaleRow, shiftRow, len, dstBytes, dst, at, planeMeans != null);
                } else {
                    siluOfAffine(block, scaleRow, shiftRow, len, scratch);
                }
                if (planeMeans != null) {
                    for (int j = j0; j < j1; j++) {
                        planeMeans[i * c + j] = (float) (RowLoops32.sum(block, (j - j0) * s, s) / s);
                    }
                }
                if (dstBytes == null) {
                    dst.put(at, block, 0, len);
                }
            }
        }
    }

    /**
     * x[i] = silu(y) = y / (1 + e^-y), y = x[i] * scale[i] + shift[i], for i < len <= BLOCK, in place.
     * y is rounded as a product and a sum, as {@link ChannelLoops32#affine} rounds it (the backward
     * recomputes it so); e^-y is {@link FloatMath32#expBlock}'s (the clamp, Cephes' polynomial, 2^n from
     * the bits) with the polynomial in fused multiply-adds ({@link #expMantissaFma}: 13 vector operations
     * per element instead of 21, that pass 0.51 -> 0.33 ns per element), and the last pass one fused
     * multiply-add and a division instead of 1 / (1 + e^-y) times y. NOTE: so not the SiLU kernel's
     * bits, within a few ulps of the reference (NormSilu32Test). The affine inside the exponent's pass
     * vectorises only with the shorter polynomial: with the plain one the loop outgrew what C2 unrolls
     * (5.8 ns per element instead of 1.0). With the vector kernels on ({@link VectorLanes}) the same
     * steps run in one pass in registers ({@link NormSiluLanes32}, the same bits); the arrays then need
     * len rounded up to whole vectors (the blocks are).
     */
    static void siluOfAffine(float[] x, float[] scale, float[] shift, int len, float[][] scratch) {
        if (VectorLanes.ENABLED) {
            NormSiluLanes32.siluOfAffine(x, scale, shift, len);
            return;
        }
        siluOfAffineInLoops(x, scale, shift, len, scratch);
    }

    /** {@link #siluOfAffine} in plain loops (three passes, 2^n through {@link FloatMath32#powersOfTwo}). */
    static void siluOfAffineInLoops(float[] x, float[] scale, float[] shift, int len, float[][] scratch) {
        float[] e = scratch[5];
        float[] powers = scratch[6];
        for (int i = 0; i < len; i++) {
            float y = x[i] * scale[i] + shift[i];
            x[i] = y;
            float v = Math.max(Math.min(-y, FloatMath32.EXP_MAX), FloatMath32.EXP_MIN);
            float t = Math.fma(v, FloatMath32.LOG2E, FloatMath32.ROUND);
            e[i] = expMantissaFma(v, t - FloatMath32.ROUND);
            powers[i] = t;
        }
        FloatMath32.powersOfTwo(powers, BITS.get(), len);
        for (int i = 0; i < len; i++) {
            x[i] = x[i] / Math.fma(e[i], powers[i], 1f);
        }
    }

    /**
     * {@link FloatMath32#expMantissa} (e^r, r = x - n ln 2 with ln 2 in the same two parts, Cephes'
     * polynomial) with every step a fused multiply-add: one rounding where the plain form has two.
     */
    static float expMantissaFma(float x, float n) {
        float r = Math.fma(n, -0.693359375f, x);
        r = Math.fma(n, 2.12194440e-4f, r);
        float r2 = r * r;
        float p = 1.9875691500e-4f;
        p = Math.fma(p, r, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        p = Math.fma(p, r, 5.0000001201e-1f);
        return Math.fma(p, r2, r) + 1f;
    }

    /**
     * {@link #affineSiluStore} for planes above a block, from the staged (N, c1 - c0, S) piece
     * {@code xa}: the affine into a piece-sized array, SiLU over it ({@link UnaryLoops32#apply}), the
     * plane sums, the store.
     */
    static void piecewise(float[] xa, int n, int c, int s, int c0, int c1, float[] scale, float[] shift, FloatBuffer dst,
                          float[] planeMeans) {
        int cc = c1 - c0;
        float[] oa = HeapStage.scratch(1, n * cc * s);
        ChannelLoops32.affine(xa, oa, n, cc, s, scale, shift);
        UnaryLoops32.apply(UnaryFn.SILU, oa, n * cc * s);
        if (planeMeans != null) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < cc; j++) {
                    planeMeans[i * c + c0 + j] = (float) (RowLoops32.sum(oa, (i * cc + j) * s, s) / s);
                }
            }
        }
        ChannelLoops32.store(oa, dst, 0, n, c, s, c0, c1);
    }
}
