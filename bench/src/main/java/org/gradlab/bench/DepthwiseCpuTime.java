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
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.cpu.VectorLanes;

/**
 * The three passes of one depthwise conv (forward, dL/dx, dL/dw), each timed apart in per-call
 * CPU time of the calling thread, for an A/B of the depthwise kernels on a loaded host; e.g. the
 * vector kernels against the plain loops on EfficientNet-B0's 64-px plane-by-plane layers:
 * <pre>
 *   java --add-modules jdk.incubator.vector -Dgradlab.threads=1 -Dgradlab.cpu.vector=false \
 *       -cp bench/target/gradlab-benchmarks.jar org.gradlab.bench.DepthwiseCpuTime 32 15 \
 *       1x32x64x2x3 32x1x32x1x3 96x1x32x2x3 144x1x16x1x3
 * </pre>
 * Arguments: batch, timed calls per shape (after as many warm-up calls), then shapes
 * "Cin x mult x H x stride x k" (groups = Cin, Cin * mult filters of k x k, padding k / 2, square
 * planes; the stem of EfficientNet-B0 at 64 px is 1x32x64x2x3). Prints per pass the minimum and the
 * median in ms, and ns per multiply-add of the median (the kept outputs' products:
 * batch * Cout * ho * wo * k * k). One thread only: CPU time of the calling thread misses work done
 * on pool threads.
 */
public final class DepthwiseCpuTime {
    private DepthwiseCpuTime() {}

    public static void main(String[] args) {
        if (args.length < 3) {
            throw new IllegalArgumentException("expected: BATCH CALLS CinxMultxHxStridexK..., got " + Arrays.toString(args));
        }
        int batch = Integer.parseInt(args[0]);
        int calls = Integer.parseInt(args[1]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf("vector kernels %s, threads %s%n", VectorLanes.describe(),
                System.getProperty("gradlab.threads", "(default)"));
        for (int a = 2; a < args.length; a++) {
            int[] c = Arrays.stream(args[a].split("x")).mapToInt(Integer::parseInt).toArray(); // Cin, mult, H, stride, k
            if (c.length != 5) {
                throw new IllegalArgumentException("expected a shape CinxMultxHxStridexK, got " + args[a]);
            }
            int cin = c[0];
            int cout = cin * c[1];
            int h = c[2];
            int k = c[4];
            Conv2dParams p = new Conv2dParams(c[3], k / 2, cin);
            int out = (h + 2 * (k / 2) - k) / c[3] + 1;
            Generator gen = new Generator(1);
            Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, cin, h, h);
            Tensor w = Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, cout, 1, k, k);
            Tensor g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, cout, out, out);
            ConvKernels conv = x.backend().conv();
            double[][] ms = new double[3][calls]; // forward, dL/dx, dL/dw
            for (int i = -calls; i < calls; i++) { // the first `calls` warm up
                try (MemoryScope s = MemoryScope.open()) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    conv.conv2dForward(x, w, null, p);
                    long t1 = mx.getCurrentThreadCpuTime();
                    conv.conv2dBackwardInput(g, w, x.shape(), p);
                    long t2 = mx.getCurrentThreadCpuTime();
                    conv.conv2dBackwardWeight(g, x, w.shape(), p);
                    long t3 = mx.getCurrentThreadCpuTime();
                    if (i >= 0) {
                        ms[0][i] = (t1 - t0) / 1e6;
                        ms[1][i] = (t2 - t1) / 1e6;
                        ms[2][i] = (t3 - t2) / 1e6;
                    }
                }
            }
            double products = (double) batch * cout * out * out * k * k;
            StringBuilder line = new StringBuilder(String.format("%-14s batch %d:", args[a], batch));
            String[] names = {"fwd", "dL/dx", "dL/dw"};
            for (int pass = 0; pass < 3; pass++) {
                Arrays.sort(ms[pass]);
                double median = ms[pass][calls / 2];
                line.append(String.format(" %s min %.2f median %.2f ms (%.3f ns/madd);", names[pass], ms[pass][0], median,
                        median * 1e6 / products));
            }
            System.out.println(line);
        }
    }
}
