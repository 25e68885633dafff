package org.gradlab.engine.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch norm + SiLU's float32 passes in the JDK's vector API, run when {@link VectorLanes#ENABLED}
 * (the plain loops in {@link NormSilu32}, {@link ChannelLoops32} and {@link UnaryLoops32} otherwise):
 * <ul>
 *   <li>the forward's element pass ({@link NormSilu32#siluOfAffine}'s operations in the same order,
 *       so the same bits) in ONE pass with everything in registers, where the plain loops need
 *       three and two bulk copies (C2 vectorises neither float-to-int bits nor a loop that long):
 *       2^n is t's bits shifted in place ({@code reinterpretAsInts}), the exponent's clamp a compare
 *       and a blend per bound (Java's {@code Math.min}/{@code max} semantics cost C2 about six vector
 *       instructions each; the blend keeps NaN and -0 as they do: a NaN compares false and stays, the
 *       bounds are not zeros); {@link #siluOfAffineStore} stores each vector from its register into
 *       the output's memory;</li>
 *   <li>the forward's statistics per sample and plane in registers ({@link #shiftedPlaneSums});</li>
 *   <li>the backward: g * silu'(y) with its two sums in one pass ({@link #siluGradientSums}), grad_x
 *       stored from registers ({@link #affine2Store}); on planes of four vectors or more both read
 *       their operands straight from the tensors' memory ({@link NormSilu32.Operands}).</li>
 * </ul>
 * NOTE: storing (and loading) each vector as it is computed lets the cache misses overlap the
 * arithmetic; computing a block, then copying it out, left them all to the copy (bench/README.md, "batch norm +
 * SiLU in vector lanes (issue 14, branch bnsilu)"). NOTE: {@link #siluOfAffine} runs in whole vectors
 * from 0: it reads x, scale and shift and writes x up to {@code len} rounded up to a whole vector;
 * callers size the arrays for that (the blocks are {@link NormSilu32}'s, a multiple of the lane
 * count) and never read what lands past {@code len}. The stores into a tensor never pass the range.
 */
final class NormSiluLanes32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** t's bits minus these are n + 127 (t = n + ROUND, {@link FloatMath32#powersOfTwo}). */
    private static final int BIAS_BITS = Float.floatToRawIntBits(FloatMath32.ROUND) - 127;

    private NormSiluLanes32() {}

    /** One past the last index {@link #siluOfAffine} writes for {@code len}: len rounded up to whole vectors. */
    static int end(int len) {
        return (len + L - 1) / L * L;
    }

    /**
     * x[i] = silu(y) = y / (1 + e^-y), y = x[i] * scale[i] + shift[i], for i &lt; len, in place, in
     * whole vectors: {@link NormSilu32#siluOfAffine}'s arithmetic, bit for bit.
     */
    static void siluOfAffine(float[] x, float[] scale, float[] shift, int len) {
        for (int i = 0; i < len; i += L) {
            FloatVector y = FloatVector.fromArray(S, x, i).mul(FloatVector.fromArray(S, scale, i))
                    .add(FloatVector.fromArray(S, shift, i));
            siluOf(y).intoArray(x, i);
        }
    }

    /**
     * {@link #siluOfAffine} of x[0, len) stored into {@code dst} from float index {@code at}: each whole
     * vector straight from its register into dst's memory ({@code dstBytes}, the same memory as
     * bytes in native order), the last part vector through x and a bulk put; {@code keep}: x holds
     * the output afterwards too. NOTE: storing as the pass goes lets the stores' misses overlap the
     * arithmetic; computing the block, then copying it out, left them to the copy.
     */
    static void siluOfAffineStore(float[] x, float[] scale, float[] shift, int len, ByteBuffer dstBytes, FloatBuffer dst,
                                  int at, boolean keep) {
        ByteOrder order = ByteOrder.nativeOrder();
        int whole = len - len % L;
        for (int i = 0; i < whole; i += L) {
            FloatVector y = FloatVector.fromArray(S, x, i).mul(FloatVector.fromArray(S, scale, i))
                    .add(FloatVector.fromArray(S, shift, i));
            FloatVector out = siluOf(y);
            out.intoByteBuffer(dstBytes, (at + i) * Float.BYTES, order);
            if (keep) {
                out.intoArray(x, i);
            }
        }
        if (whole < len) {
            FloatVector y = FloatVector.fromArray(S, x, whole).mul(FloatVector.fromArray(S, scale, whole))
                    .add(FloatVector.fromArray(S, shift, whole));
            siluOf(y).intoArray(x, whole);
            dst.put(at + whole, x, whole, len - whole);
        }
    }

    /** Whether {@link #shiftedPlaneSums} takes planes of {@code s} positions: whole blocks of four vectors. */
    static boolean sumsPlanes(int s) {
        return s % (4 * L) == 0;
    }

    /**
     * sumD[j] = sum over the n samples and plane j's s positions of d = x - k[j], sumD2[j] = sum of
     * d^2, for the planes j &lt; k.length that start at {@code at} in each sample ({@code stride}
     * apart), {@link #sumsPlanes}(s). Each sample's planes are copied to {@code block} (one bulk copy),
     * then each plane is summed in four pairs of vector registers (d^2 by fused multiply-adds), their
     * lanes added up per sample and plane in float and those sums in double. NOTE: not the bits of
     * the plain loops, which sum each position across the samples in float first.
     */
    static void shiftedPlaneSums(FloatBuffer src, int at, int n, int stride, int s, float[] k, double[] sumD,
                                 double[] sumD2, float[] block) {
        java.util.Arrays.fill(sumD, 0, k.length, 0);
        java.util.Arrays.fill(sumD2, 0, k.length, 0);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < n; i++) {
            src.get(at + i * stride, block, 0, k.length * s);
            for (int j = 0; j < k.length; j++) {
                FloatVector shift = FloatVector.broadcast(S, k[j]);
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero;
                FloatVector q0 = zero, q1 = zero, q2 = zero, q3 = zero;
                for (int p = j * s, end = p + s; p < end; p += 4 * L) {
                    FloatVector d0 = FloatVector.fromArray(S, block, p).sub(shift);
                    FloatVector d1 = FloatVector.fromArray(S, block, p + L).sub(shift);
                    FloatVector d2 = FloatVector.fromArray(S, block, p + 2 * L).sub(shift);
                    FloatVector d3 = FloatVector.fromArray(S, block, p + 3 * L).sub(shift);
                    a0 = a0.add(d0);
                    a1 = a1.add(d1);
                    a2 = a2.add(d2);
                    a3 = a3.add(d3);
                    q0 = d0.fma(d0, q0);
                    q1 = d1.fma(d1, q1);
                    q2 = d2.fma(d2, q2);
                    q3 = d3.fma(d3, q3);
                }
                sumD[j] += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
                sumD2[j] += q0.add(q1).add(q2.add(q3)).reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /** Whether the backward's passes ({@link #siluGradientSums}, {@link #affine2Store}) take planes of {@code s} positions: whole vectors. */
    static boolean backwardTakes(int s) {
        return s % L == 0;
    }

    /** Whether the backward reads its operands from the tensors' memory ({@link NormSilu32.Operands}): planes of at least four vectors. */
    static boolean readsInPlace(int s) {
        return s % L == 0 && s >= 4 * L;
    }

    /**
     * The backward's first pass over the (N, cc, S) piece of channels [c0, c0 + cc) of (N, C, S)
     * tensors, {@link #backwardTakes}(s): g = g * silu'(y) into {@code g} (the staged piece's layout),
     * y = x * scale[j] + shift[j] as {@link ChannelLoops32#affine} rounds it and silu'(y) from the
     * forward's output as {@link UnaryLoops32#multiplyBySiluDerivative} takes it (the same bits), and
     * sumG[j] += sum of that g, sumGDev[j] += sum of g (x - (float) mean[j]) over the piece's samples and
     * positions: each sample's plane in vector registers (the deviation's product a fused
     * multiply-add), the lanes added up in float, those sums in double. One pass where the plain path
     * makes three (y, the derivative, the sums) and a y array. {@code x} null: g, x and the output read
     * from the tensors' memory ({@code mem}), else g, x and {@code out} are the staged pieces.
     */
    static void siluGradientSums(float[] g, float[] x, float[] out, NormSilu32.Operands mem, int c, int c0, int n, int cc,
                                 int s, float[] scale, float[] shift, double[] mean, double[] sumG, double[] sumGDev) {
        if (x == null) {
            siluGradientSumsInPlace(g, mem, c, c0, n, cc, s, scale, shift, mean, sumG, sumGDev);
            return;
        }
        FloatVector zero = FloatVector.zero(S);
        FloatVector tiny = FloatVector.broadcast(S, 0x1p-101f);
        FloatVector small = FloatVector.broadcast(S, 0x1p-100f);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0, at = 0; i < n; i++) {
            for (int j = 0; j < cc; j++, at += s) {
                FloatVector sc = FloatVector.broadcast(S, scale[j]);
                FloatVector sh = FloatVector.broadcast(S, shift[j]);
                FloatVector m = FloatVector.broadcast(S, (float) mean[j]);
                FloatVector sg0 = zero, sg1 = zero, sp0 = zero, sp1 = zero;
                int k = at;
                for (int e = at + s - L; k < e; k += 2 * L) {
                    FloatVector x0 = FloatVector.fromArray(S, x, k);
                    FloatVector x1 = FloatVector.fromArray(S, x, k + L);
                    FloatVector g0 = derivativeTimes(FloatVector.fromArray(S, g, k), x0.mul(sc).add(sh),
                            FloatVector.fromArray(S, out, k), tiny, small, one);
                    FloatVector g1 = derivativeTimes(FloatVector.fromArray(S, g, k + L), x1.mul(sc).add(sh),
                            FloatVector.fromArray(S, out, k + L), tiny, small, one);
                    g0.intoArray(g, k);
                    g1.intoArray(g, k + L);
                    sg0 = sg0.add(g0);
                    sg1 = sg1.add(g1);
                    sp0 = g0.fma(x0.sub(m), sp0);
                    sp1 = g1.fma(x1.sub(m), sp1);
                }
                if (k < at + s) { // an odd number of vectors
                    FloatVector x0 = FloatVector.fromArray(S, x, k);
                    FloatVector g0 = derivativeTimes(FloatVector.fromArray(S, g, k), x0.mul(sc).add(sh),
                            FloatVector.fromArray(S, out, k), tiny, small, one);
                    g0.intoArray(g, k);
                    sg0 = sg0.add(g0);
                    sp0 = g0.fma(x0.sub(m), sp0);
                }
                sumG[j] += sg0.add(sg1).reduceLanes(VectorOperators.ADD);
                sumGDev[j] += sp0.add(sp1).reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /** {@link #siluGradientSums} with g, x and the output read from the tensors' memory ({@link #readsInPlace}(s): whole pairs of vectors). */
    private static void siluGradientSumsInPlace(float[] g, NormSilu32.Operands mem, int c, int c0, int n, int cc, int s,
                                                float[] scale, float[] shift, double[] mean, double[] sumG, double[] sumGDev) {
        ByteOrder order = ByteOrder.nativeOrder();
        ByteBuffer gm = mem.g();
        ByteBuffer xm = mem.x();
        ByteBuffer om = mem.out();
        FloatVector zero = FloatVector.zero(S);
        FloatVector tiny = FloatVector.broadcast(S, 0x1p-101f);
        FloatVector small = FloatVector.broadcast(S, 0x1p-100f);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0, at = 0; i < n; i++) {
            for (int j = 0; j < cc; j++, at += s) {
                int plane = (i * c + c0 + j) * s - at; // a staged index plus this: the tensors' index
                int gb = (mem.go() + plane) * Float.BYTES;
                int xb = (mem.xo() + plane) * Float.BYTES;
                int ob = (mem.oo() + plane) * Float.BYTES;
                FloatVector sc = FloatVector.broadcast(S, scale[j]);
                FloatVector sh = FloatVector.broadcast(S, shift[j]);
                FloatVector m = FloatVector.broadcast(S, (float) mean[j]);
                FloatVector sg0 = zero, sg1 = zero, sp0 = zero, sp1 = zero;
                for (int k = at, e = at + s; k < e; k += 2 * L) {
                    int k0 = k * Float.BYTES;
                    int k1 = k0 + L * Float.BYTES;
                    FloatVector x0 = FloatVector.fromByteBuffer(S, xm, xb + k0, order);
                    FloatVector x1 = FloatVector.fromByteBuffer(S, xm, xb + k1, order);
                    FloatVector g0 = derivativeTimes(FloatVector.fromByteBuffer(S, gm, gb + k0, order), x0.mul(sc).add(sh),
                            FloatVector.fromByteBuffer(S, om, ob + k0, order), tiny, small, one);
                    FloatVector g1 = derivativeTimes(FloatVector.fromByteBuffer(S, gm, gb + k1, order), x1.mul(sc).add(sh),
                            FloatVector.fromByteBuffer(S, om, ob + k1, order), tiny, small, one);
                    g0.intoArray(g, k);
                    g1.intoArray(g, k + L);
                    sg0 = sg0.add(g0);
                    sg1 = sg1.add(g1);
                    sp0 = g0.fma(x0.sub(m), sp0);
                    sp1 = g1.fma(x1.sub(m), sp1);
                }
                sumG[j] += sg0.add(sg1).reduceLanes(VectorOperators.ADD);
                sumGDev[j] += sp0.add(sp1).reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /** g * silu'(y) from o = silu(y): {@link UnaryLoops32#multiplyBySiluDerivative}'s steps, lane by lane. */
    private static FloatVector derivativeTimes(FloatVector g, FloatVector y, FloatVector o, FloatVector tiny,
                                               FloatVector small, FloatVector one) {
        FloatVector sig = o.abs().add(tiny).div(y.abs().add(small));
        return g.mul(sig.add(o.mul(one.sub(sig))));
    }

    /**
     * The backward's last pass, {@link #backwardTakes}(s): grad_x = g * a[j] + x * b[j] + d[j] over the
     * (N, cc, S) piece ({@link ChannelLoops32#affine2}'s roundings, the same bits), g staged, x staged or
     * (null) read from the tensor's memory ({@code mem}), each vector stored from its register into
     * channels [c0, c0 + cc) of the contiguous (N, C, S) tensor whose memory {@code dst} is (bytes in
     * native order, from index 0).
     */
    static void affine2Store(float[] g, float[] x, NormSilu32.Operands mem, int n, int cc, int s, float[] a, float[] b,
                             float[] d, ByteBuffer dst, int c, int c0) {
        ByteOrder order = ByteOrder.nativeOrder();
        for (int i = 0, at = 0; i < n; i++) {
            for (int j = 0; j < cc; j++, at += s) {
                FloatVector aj = FloatVector.broadcast(S, a[j]);
                FloatVector bj = FloatVector.broadcast(S, b[j]);
                FloatVector dj = FloatVector.broadcast(S, d[j]);
                int to = (i * c + c0 + j) * s - at;
                if (x == null) {
                    ByteBuffer xm = mem.x();
                    int xb = (mem.xo() + to) * Float.BYTES;
                    for (int k = at, e = at + s; k < e; k += L) {
                        FloatVector.fromArray(S, g, k).mul(aj).add(FloatVector.fromByteBuffer(S, xm, xb + k * Float.BYTES, order).mul(bj))
                                .add(dj).intoByteBuffer(dst, (to + k) * Float.BYTES, order);
                    }
                    continue;
                }
                for (int k = at, e = at + s; k < e; k += L) {
                    FloatVector.fromArray(S, g, k).mul(aj).add(FloatVector.fromArray(S, x, k).mul(bj)).add(dj)
                            .intoByteBuffer(dst, (to + k) * Float.BYTES, order);
                }
            }
        }
    }

    /** silu(y) lane by lane: {@link NormSilu32#siluOfAffine}'s steps after the affine. */
    private static FloatVector siluOf(FloatVector y) {
        FloatVector v = y.neg();
        v = v.blend(FloatMath32.EXP_MAX, v.compare(VectorOperators.GT, FloatMath32.EXP_MAX));
        v = v.blend(FloatMath32.EXP_MIN, v.compare(VectorOperators.LT, FloatMath32.EXP_MIN));
        FloatVector t = v.fma(FloatMath32.LOG2E, FloatMath32.ROUND);
        FloatVector n = t.sub(FloatMath32.ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -0.693359375f), v);
        r = n.fma(FloatVector.broadcast(S, 2.12194440e-4f), r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector e = p.fma(r2, r).add(1f);
        FloatVector twoToN = ((IntVector) t.reinterpretAsInts()).sub(BIAS_BITS).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return y.div(e.fma(twoToN, FloatVector.broadcast(S, 1f)));
    }
}
