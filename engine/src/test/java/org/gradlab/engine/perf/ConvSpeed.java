package org.gradlab.engine.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.natives.Blas;
import org.gradlab.natives.NativeBuffer;

/**
 * Speed harness (a {@code main}, not a unit test): float32 CPU conv2d forward, backward-input and
 * backward-weight (k3 s1 p1, batch 32) against one-thread OpenBLAS sgemm on the equivalent GEMM
 * shapes (per sample: fwd Cout x L x K, bwd-input K x L x Cout with A^T, bwd-weight Cout x K x L with
 * B^T, where K = Cin*9 and L = H*W), plus sgemm 512^3. FLOPs of each pass = 2*N*Cout*K*L.
 *
 * <p>Times are this thread's CPU time by default (robust on a shared, overloaded host; OpenBLAS
 * runs single-threaded in the caller); {@code -Dwall=true} uses wall-clock time.
 *
 * <p>Run: {@code ./mvnw -o -q -pl engine -am test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/classpath.txt && java -cp
 * engine/target/classes:engine/target/test-classes:$(cat engine/target/classpath.txt)
 * org.gradlab.engine.perf.ConvSpeed [reps]} ({@code -am} so that {@code native} comes from the
 * reactor, not from a jar in {@code ~/.m2})
 */
public final class ConvSpeed {
    private static final int[][] CONFIGS = {{32, 3, 28, 32}, {32, 32, 14, 64}, {32, 64, 7, 128}};

    private ConvSpeed() {}

    interface Body {
        void run();
    }

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = !Boolean.getBoolean("wall") && MX.isCurrentThreadCpuTimeSupported();

    /** This thread's CPU time (OpenBLAS runs single-threaded in the caller), or wall time with -Dwall=true. */
    static long now() {
        return CPU_TIME ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Median milliseconds of {@code reps} runs after {@code warm} warm-up runs. */
    static double time(int warm, int reps, Body b) {
        for (int i = 0; i < warm; i++) {
            b.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = now();
            b.run();
            t[i] = (now() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    static void scoped(Body b) {
        try (MemoryScope s = MemoryScope.open()) {
            b.run();
        }
    }

    static NativeBuffer buf(long floats, Generator g) {
        NativeBuffer nb = NativeBuffer.allocate(floats * 4);
        java.nio.FloatBuffer f = nb.asFloats();
        for (int i = 0; i < floats; i++) {
            f.put(i, (float) (g.nextDouble() - 0.5));
        }
        return nb;
    }

    /** ms of {@code times} sgemm(m, n, k) calls with the given transposes (row-major, tight leading dims). */
    static double gemmMs(int warm, int reps, int times, boolean ta, boolean tb, int m, int n, int k, Generator g) {
        try (NativeBuffer a = buf((long) m * k, g); NativeBuffer b = buf((long) k * n, g); NativeBuffer c = buf((long) m * n, g)) {
            int lda = ta ? m : k;
            int ldb = tb ? k : n;
            return time(warm, reps, () -> {
                for (int i = 0; i < times; i++) {
                    Blas.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
                }
            });
        }
    }

    static double gflops(double flops, double ms) {
        return flops / ms / 1e6;
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int warm = Math.max(3, reps / 3);
        Generator gen = new Generator(1);
        System.out.printf("OpenBLAS threads: %d, Java %s, timing: %s, median of %d runs%n", Blas.threads(),
                System.getProperty("java.version"), CPU_TIME ? "thread CPU time" : "wall clock", reps);
        double ms512 = gemmMs(warm, reps, 1, false, false, 512, 512, 512, gen);
        System.out.printf("sgemm 512^3: %.2f ms, %.1f GFLOP/s%n%n", ms512, gflops(2.0 * 512 * 512 * 512, ms512));
        System.out.printf("%-22s %-9s %9s %9s %12s %12s %7s%n", "conv (N,Cin,H,W)->Cout", "pass", "conv ms", "GFLOP/s",
                "gemm ms", "gemm GFLOP/s", "ratio");
        for (int[] c : CONFIGS) {
            int n = c[0];
            int cin = c[1];
            int h = c[2];
            int cout = c[3];
            int k = cin * 9;
            int l = h * h;
            double flops = 2.0 * n * cout * k * l;
            Tensor x = Tensor.uniform(gen, -1, 1, DType.F32, Device.CPU, n, cin, h, h);
            Tensor w = Tensor.uniform(gen, -1, 1, DType.F32, Device.CPU, cout, cin, 3, 3);
            Tensor b = Tensor.uniform(gen, -1, 1, DType.F32, Device.CPU, cout);
            Tensor g = Tensor.uniform(gen, -1, 1, DType.F32, Device.CPU, n, cout, h, h);
            Conv2dParams p = new Conv2dParams(1, 1, 1);
            ConvKernels conv = x.backend().conv();
            double[] convMs = {
                time(warm, reps, () -> scoped(() -> conv.conv2dForward(x, w, b, p))),
                time(warm, reps, () -> scoped(() -> conv.conv2dBackwardInput(g, w, x.shape(), p))),
                time(warm, reps, () -> scoped(() -> conv.conv2dBackwardWeight(g, x, w.shape(), p)))};
            double[] gemm = {
                gemmMs(warm, reps, n, false, false, cout, l, k, gen),
                gemmMs(warm, reps, n, true, false, k, l, cout, gen),
                gemmMs(warm, reps, n, false, true, cout, k, l, gen)};
            String name = String.format("(%d,%d,%d,%d)->%d", n, cin, h, h, cout);
            String[] passes = {"fwd", "bwd-in", "bwd-w"};
            double convTot = 0;
            double gemmTot = 0;
            for (int i = 0; i < 3; i++) {
                convTot += convMs[i];
                gemmTot += gemm[i];
                System.out.printf("%-22s %-9s %9.2f %9.1f %12.2f %12.1f %6.0f%%%n", i == 0 ? name : "", passes[i], convMs[i],
                        gflops(flops, convMs[i]), gemm[i], gflops(flops, gemm[i]), 100 * gemm[i] / convMs[i]);
            }
            System.out.printf("%-22s %-9s %9.2f %9.1f %12.2f %12.1f %6.0f%%%n", "", "fwd+bwd", convTot,
                    gflops(3 * flops, convTot), gemmTot, gflops(3 * flops, gemmTot), 100 * gemmTot / convTot);
            System.out.printf("%-22s %-9s %9s %9s %12s %12s %6.0f%%  (vs sgemm 512^3 GFLOP/s)%n", "", "", "", "", "", "",
                    100 * gflops(3 * flops, convTot) / gflops(2.0 * 512 * 512 * 512, ms512));
        }
    }
}
