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
 * "Cin x Cout x H" (3x3, stride 1, padding 1, square planes). One thread only: CPU time of the
 * calling thread misses work done on pool threads.
 */
public final class ConvStepCpuTime {
    private ConvStepCpuTime() {}

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
            KernelFigures.Conv c = KernelFigures.Conv.of(args[a] + "x1", Integer.toString(batch));
            Generator gen = new Generator(1);
            Conv2dParams p = new Conv2dParams(1, 1, 1);
            Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, c.cin(), c.h(), c.h());
            Tensor w = Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, c.cout(), c.cin(), 3, 3);
            Tensor g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, c.cout(), c.out(), c.out());
            ConvKernels conv = x.backend().conv();
            double[] ms = new double[calls];
            for (int i = -calls; i < calls; i++) { // the first `calls` warm up
                long t0 = mx.getCurrentThreadCpuTime();
                try (MemoryScope s = MemoryScope.open()) {
                    ConvForward f = conv.conv2dForwardKeeping(x, w, null, p);
                    conv.conv2dBackwardInput(g, w, x.shape(), p);
                    if (f.columns() != null) {
                        conv.conv2dBackwardWeight(g, x, f.columns(), w.shape(), p);
                    } else {
                        conv.conv2dBackwardWeight(g, x, w.shape(), p);
                    }
                }
                if (i >= 0) {
                    ms[i] = (mx.getCurrentThreadCpuTime() - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            System.out.printf("%-12s batch %d: fwd+bwd-data+bwd-filter CPU ms min %.2f median %.2f%n", args[a], batch, ms[0],
                    ms[calls / 2]);
        }
    }
}
