package org.gradlab.bench;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.cuda.CudaBackend;
import org.gradlab.natives.cuda.ConvShape;
import org.gradlab.natives.cuda.Cudnn;

/**
 * {@code ./gradlab bench cudnn}: for every conv shape of {@link ConvBench} (exp 08, ResNet-18
 * with the 28×28 stem), cuDNN's own timing of EVERY algorithm it offers for forward,
 * backward-data and backward-filter (what {@code cudnnFind*AlgorithmEx} measured when the engine
 * chose one), as ms and GFLOP/s, with the chosen one marked; then the chosen algorithms timed
 * through the engine (median of 20 calls, the device synchronised around each).
 */
final class CudnnAlgorithms {
    private CudnnAlgorithms() {}

    /** Cin x Cout x H x stride, as in ConvBench. */
    static final List<String> SHAPES = List.of("3x32x28x1", "32x64x14x1", "64x128x7x1", "3x64x28x1", "64x64x28x1",
            "64x128x28x2", "128x256x14x2", "256x512x7x2");

    // cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t in cuDNN 9, by number
    private static final String[] FORWARD = {"IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING",
        "WINOGRAD", "WINOGRAD_NONFUSED"};
    private static final String[] BACKWARD_DATA = {"ALGO_0", "ALGO_1", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
    private static final String[] BACKWARD_FILTER = {"ALGO_0", "ALGO_1", "FFT", "ALGO_3", "WINOGRAD", "WINOGRAD_NONFUSED",
        "FFT_TILING"};

    /** cuDNN's name of algorithm {@code algo} for {@code direction}, or "ALGO_n" for a number this table lacks. */
    static String name(String direction, int algo) {
        String[] names = switch (direction) {
            case "forward" -> FORWARD;
            case "backward-data" -> BACKWARD_DATA;
            default -> BACKWARD_FILTER;
        };
        return algo >= 0 && algo < names.length ? names[algo] : "ALGO_" + algo;
    }

    /** One timing line: name, math type (tensor-op = TF32 for float32), ms, GFLOP/s (flops of one pass), workspace, flags. */
    static String line(Cudnn.AlgoTiming t, double flops) {
        String time = t.milliseconds() >= 0 ? String.format("%9.3f ms %8.1f GFLOP/s", t.milliseconds(), flops / t.milliseconds() / 1e6)
                : "   (heuristic order, not timed)";
        return String.format("    %s %-15s %-22s %-20s %s  workspace %8.1f MiB%s%s", t.chosen() ? "*" : " ", t.direction(),
                name(t.direction(), t.algo()), t.mathName(), t.status() == 0 ? time : "   not supported here (status " + t.status() + ")",
                t.workspace() / 1048576.0, t.deterministic() ? "" : "  non-deterministic", t.chosen() ? "  <- chosen" : "");
    }

    static void run(CudaBackend cuda, Device device, int batch, PrintStream out) {
        ConvKernels conv = cuda.conv();
        out.printf("cuDNN %d, batch %d, float32, %s; * = the algorithm the engine uses%n", Cudnn.version(), batch,
                cuda.context().cudnn().options().allowTf32() ? "TF32 allowed (-Dgradlab.cuda.math=tf32): each algorithm runs "
                        + "with the math type shown" : "exact FP32 (tensor-op math refused)");
        for (String shape : SHAPES) {
            KernelFigures.Conv c = KernelFigures.Conv.of(shape, Integer.toString(batch));
            Conv2dParams p = new Conv2dParams(c.stride(), 1, 1);
            Generator gen = new Generator(1);
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor x = Tensor.normal(gen, 0, 1, DType.F32, device, batch, c.cin(), c.h(), c.h());
                Tensor w = Tensor.normal(gen, 0, 0.1, DType.F32, device, c.cout(), c.cin(), 3, 3);
                Tensor g = Tensor.normal(gen, 0, 1, DType.F32, device, batch, c.cout(), c.out(), c.out());
                Runnable[] passes = {
                    () -> conv.conv2dForward(x, w, null, p),
                    () -> conv.conv2dBackwardInput(g, w, x.shape(), p),
                    () -> conv.conv2dBackwardWeight(g, x, w.shape(), p)};
                for (Runnable r : passes) {
                    r.run(); // the first call of each direction lets cuDNN time every algorithm
                }
                cuda.synchronize();
                ConvShape s = new ConvShape(org.gradlab.natives.cuda.DType.FLOAT32, x.shape(), w.shape(), new int[] {1, 1},
                        new int[] {c.stride(), c.stride()}, new int[] {1, 1}, 1);
                out.printf("%n  conv %s (%.1f MFLOP per pass)%n", shape, c.flops() / 1e6);
                cuda.context().cudnn().algorithmTimings(s).stream()
                        .sorted(Comparator.comparing(Cudnn.AlgoTiming::direction)
                                .thenComparingDouble(t -> t.milliseconds() < 0 ? Double.MAX_VALUE : t.milliseconds()))
                        .forEach(t -> out.println(line(t, c.flops())));
                String[] dirs = {"forward", "backward-data", "backward-filter"};
                for (int d = 0; d < 3; d++) {
                    double ms = medianMillis(cuda, passes[d]);
                    out.printf("    through the engine: %-15s %9.3f ms %8.1f GFLOP/s%n", dirs[d], ms, c.flops() / ms / 1e6);
                }
            }
        }
    }

    private static double medianMillis(CudaBackend cuda, Runnable pass) {
        double[] t = new double[20];
        for (int i = 0; i < t.length; i++) {
            try (MemoryScope s = MemoryScope.open()) {
                cuda.synchronize();
                long t0 = System.nanoTime();
                pass.run();
                cuda.synchronize();
                t[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return EpochBench.median(t);
    }
}
