package org.gradlab.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * For students who read the CPU kernels: the same work written two ways, one that JDK 17's C2
 * compiler turns into SIMD instructions and one that it leaves scalar, at the size of an exp-08
 * activation (32×32×28×28 = 802,816 floats). ns per element = score / 802,816.
 *
 * <ul>
 *   <li>{@code addTwoOffsets} vs {@code addAligned}: {@code x[a + t] += y[b + t]} with two
 *       different loop-invariant offsets stays scalar; copying y's run to the same index as x
 *       first (an intrinsic memcpy) and adding {@code x[i] += z[i]} vectorises (col2im, {@code
 *       Im2col.col2imShift}).
 *   <li>{@code maskFloatBits} vs {@code maskIntBits}: ReLU's backward as integer masks over
 *       {@code Float.floatToRawIntBits} of float[] stays scalar; the same masks over the raw bits
 *       staged as int[] vectorise ({@code CpuElementwise.reluBackward}).
 *   <li>{@code sumDouble4} vs {@code sumFloat8}: a float sum into four double partial sums vs
 *       eight float ones (per 784-element block, then double across blocks): the JIT vectorises
 *       neither reduction (it must keep the order), so the win is shorter dependency chains and no
 *       float-to-double conversion ({@code ChannelLoops32}).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class LoopShapesBench {
    static final int N = 32 * 32 * 28 * 28;
    static final int BLOCK = 784;

    private final float[] x = new float[N + 64];
    private final float[] y = new float[N + 64];
    private final float[] z = new float[N + 64];
    private final int[] xi = new int[N];
    private final int[] yi = new int[N];
    private final int[] zi = new int[N];

    @Setup
    public void setup() {
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < N; i++) {
            xi[i] = Float.floatToRawIntBits(x[i]);
            yi[i] = Float.floatToRawIntBits(y[i]);
        }
    }

    @Benchmark
    public float[] addTwoOffsets() {
        add(x, 3, y, 17, N);
        return x;
    }

    private static void add(float[] x, int a, float[] y, int b, int n) {
        for (int t = 0; t < n; t++) {
            x[a + t] += y[b + t];
        }
    }

    @Benchmark
    public float[] addAligned() {
        System.arraycopy(y, 17, z, 3, N);
        addSameIndex(x, z, 3, 3 + N);
        return x;
    }

    private static void addSameIndex(float[] x, float[] z, int from, int to) {
        for (int i = from; i < to; i++) {
            x[i] += z[i];
        }
    }

    @Benchmark
    public float[] maskFloatBits() {
        for (int i = 0; i < N; i++) {
            int b = Float.floatToRawIntBits(y[i]);
            int positive = ((-b) & ~b) >> 31;
            int notNaN = ((b & 0x7fffffff) - 0x7f800001) >> 31;
            z[i] = Float.intBitsToFloat(Float.floatToRawIntBits(x[i]) & positive & notNaN);
        }
        return z;
    }

    @Benchmark
    public int[] maskIntBits() {
        int[] out = zi;
        System.arraycopy(xi, 0, out, 0, N); // the kernel masks its staged copy in place; the copy is counted
        for (int i = 0; i < N; i++) {
            int b = yi[i];
            int positive = ((-b) & ~b) >> 31;
            int notNaN = ((b & 0x7fffffff) - 0x7f800001) >> 31;
            out[i] &= positive & notNaN;
        }
        return out;
    }

    @Benchmark
    public double sumDouble4() {
        double total = 0;
        for (int at = 0; at < N; at += BLOCK) {
            double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
            for (int k = at; k < at + BLOCK; k += 4) {
                a0 += x[k];
                a1 += x[k + 1];
                a2 += x[k + 2];
                a3 += x[k + 3];
            }
            total += (a0 + a1) + (a2 + a3);
        }
        return total;
    }

    @Benchmark
    public double sumFloat8() {
        double total = 0;
        for (int at = 0; at < N; at += BLOCK) {
            float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
            for (int k = at; k < at + BLOCK; k += 8) {
                a0 += x[k];
                a1 += x[k + 1];
                a2 += x[k + 2];
                a3 += x[k + 3];
                a4 += x[k + 4];
                a5 += x[k + 5];
                a6 += x[k + 6];
                a7 += x[k + 7];
            }
            total += (((double) a0 + a1) + ((double) a2 + a3)) + (((double) a4 + a5) + ((double) a6 + a7));
        }
        return total;
    }
}
