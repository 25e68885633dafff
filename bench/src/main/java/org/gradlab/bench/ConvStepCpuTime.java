package org.gradlab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.ConvForward;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;

/**
 * One training step's conv work (forward keeping its columns where the backend does,
 * backward-data, backward-filter from the kept columns) in per-call CPU time of the calling
 * thread, for an A/B of kernel paths on a LOADED host, where JMH's wall time mostly measures
 * the other processes. Run it alternately with each setting and compare the medians:
 * <pre>
 *   java -Dgradlab.threads=1 -Dgradlab.conv32.winograd=false -cp bench/target/gradlab-benchmarks.jar \
 *       org.gradlab.bench.ConvStepCpuTime 32 15 64x64x28 128x128x14 256x256x7 512x512x4
 * </pre>
 * Arguments: batch, timed calls per shape (after as many warm-up calls), then shapes
 * "Cin x Cout x H" (3x3, stride 1, padding 1, square planes) or "Cin x Cout x H x stride [x k [x groups]]"
 * (k x k, padding k / 2; ResNet-18's downsampling convs are 64x128x28x2 and 64x128x28x2x1; EfficientNet-B0's
 * depthwise 144 ch 5x5 stride 2 on 16x16 is 144x144x16x2x5x144).
 * Prints the median of the whole step and of each pass (the backward as one call unless
 * {@code -Dgradlab.bench.separateBackward=true}, see {@link #TOGETHER}). One thread only: CPU time of the
 * calling thread misses work done on pool threads.
 */
public final class ConvStepCpuTime {
    private ConvStepCpuTime() {}

    /**
     * Both gradients in one backend call, as the conv op makes it ({@code -Dgradlab.bench.separateBackward=true}:
     * the two calls, timed apart); together, "bwd-data" reads 0 and "bwd-filter" holds the whole backward.
     */
    private static final boolean TOGETHER = !Boolean.getBoolean("gradlab.bench.separateBackward");

    public static void main(String[] args) {
        if (args.length < 3) {
            throw new IllegalArgumentException("expected: BATCH CALLS CinxCoutxH..., got " + Arrays.toString(args));
        }
        int batch = Integer.parseInt(args[0]);
        int calls = Integer.parseInt(args[1]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf("winograd %s, threads %s%n", System.getProperty("gradlab.conv32.winograd", "(default)"),
                System.getProperty("gradlab.threads", "(default)"));
        for (int a = 2; a < args.length; a++) {
            int[] c = Arrays.stream(args[a].split("x")).mapToInt(Integer::parseInt).toArray(); // Cin, Cout, H[, stride[, k[, groups]]]
            if (c.length < 3 || c.length > 6) {
                throw new IllegalArgumentException("expected a shape CinxCoutxH[xStride[xK[xGroups]]], got " + args[a]);
            }
            int stride = c.length > 3 ? c[3] : 1;
            int k = c.length > 4 ? c[4] : 3;
            int groups = c.length > 5 ? c[5] : 1;
            Generator gen = new Generator(1);
            Conv2dParams p = new Conv2dParams(stride, k / 2, groups);
            int out = (c[2] + 2 * (k / 2) - k) / stride + 1;
            Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, c[0], c[2], c[2]);
            Tensor w = Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, c[1], c[0] / groups, k, k);
            Tensor g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, c[1], out, out);
            ConvKernels conv = x.backend().conv();
            double[][] ms = new double[4][calls]; // step, forward, backward-data, backward-filter
            for (int i = -calls; i < calls; i++) { // the first `calls` warm up
                long t0 = mx.getCurrentThreadCpuTime();
                long t1;
                long t2;
                try (MemoryScope s = MemoryScope.open()) {
                    ConvForward f = conv.conv2dForwardKeeping(x, w, null, p);
                    t1 = mx.getCurrentThreadCpuTime();
                    if (TOGETHER) { // as the conv op calls it when both gradients are wanted
                        conv.conv2dBackwardInputAndWeight(g, x, w, f.columns(), p);
                        t2 = t1;
                    } else {
                        conv.conv2dBackwardInput(g, w, x.shape(), p);
                        t2 = mx.getCurrentThreadCpuTime();
                        conv.conv2dBackwardWeight(g, x, f.columns(), w.shape(), p);
                    }
                }
                long t3 = mx.getCurrentThreadCpuTime();
                if (i >= 0) {
                    ms[0][i] = (t3 - t0) / 1e6;
                    ms[1][i] = (t1 - t0) / 1e6;
                    ms[2][i] = (t2 - t1) / 1e6;
                    ms[3][i] = (t3 - t2) / 1e6;
                }
            }
            for (double[] m : ms) {
                Arrays.sort(m);
            }
            System.out.printf("%-12s batch %d: fwd+bwd-data+bwd-filter CPU ms min %.2f median %.2f"
                    + " (medians: fwd %.2f, bwd-data %.2f, bwd-filter %.2f)%n", args[a], batch, ms[0][0], ms[0][calls / 2],
                    ms[1][calls / 2], ms[2][calls / 2], ms[3][calls / 2]);
        }
    }
}
