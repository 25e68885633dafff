package org.gradlab.bench;

import java.util.concurrent.TimeUnit;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * OpenBLAS GEMM through the engine at the shapes the challenge's convolutions turn into per
 * sample (M = Cout, N = Ho·Wo, K = Cin·9: the three exp-08 convs, then ResNet-18's stem and
 * layer1..4), and 512³ as the reference. Reports time per op; GFLOP/s =
 * 2·M·N·K / time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBench {
    /** MxNxK */
    @Param({"32x784x27", "64x196x288", "128x49x576", "64x784x27", "64x784x576", "128x196x576", "256x49x1152", "512x16x2304",
        "512x512x512"})
    public String mnk;

    private Tensor a;
    private Tensor b;
    private MemoryScope scope;

    @Setup
    public void setup() {
        String[] p = mnk.split("x");
        int m = Integer.parseInt(p[0]);
        int n = Integer.parseInt(p[1]);
        int k = Integer.parseInt(p[2]);
        Generator g = new Generator(1);
        a = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, m, k);
        b = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, k, n);
    }

    @Benchmark
    public void matmul(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(a.matmul(b));
        }
    }
}
