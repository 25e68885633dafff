package org.gradlab.bench;

import java.util.concurrent.TimeUnit;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * For students: the textbook seven-loop convolution in plain Java beside the engine's
 * im2col + OpenBLAS path, on the exp-08 convs (batch 32). Same math, very different speed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class NaiveConvBench {
    @Param({"3x32x28", "32x64x14", "64x128x7"})
    public String shape;

    private int n = 32;
    private int cin;
    private int cout;
    private int h;
    private float[] xs;
    private float[] ws;
    private Tensor x;
    private Tensor w;

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        cin = Integer.parseInt(s[0]);
        cout = Integer.parseInt(s[1]);
        h = Integer.parseInt(s[2]);
        Generator g = new Generator(1);
        x = Tensor.normal(g, 0, 1, DType.F32, Device.CPU, n, cin, h, h);
        w = Tensor.normal(g, 0, 0.1, DType.F32, Device.CPU, cout, cin, 3, 3);
        xs = x.toFloatArray();
        ws = w.toFloatArray();
    }

    /** out[n,o,i,j] = Σ_c Σ_a Σ_b x[n,c,i+a-1,j+b-1] · w[o,c,a,b] (zero padding 1, stride 1). */
    @Benchmark
    public float[] naiveJava() {
        float[] out = new float[n * cout * h * h];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < cout; o++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < h; j++) {
                        float acc = 0;
                        for (int c = 0; c < cin; c++) {
                            for (int a = 0; a < 3; a++) {
                                int y = i + a - 1;
                                if (y < 0 || y >= h) {
                                    continue;
                                }
                                for (int e = 0; e < 3; e++) {
                                    int z = j + e - 1;
                                    if (z >= 0 && z < h) {
                                        acc += xs[((b * cin + c) * h + y) * h + z] * ws[((o * cin + c) * 3 + a) * 3 + e];
                                    }
                                }
                            }
                        }
                        out[((b * cout + o) * h + i) * h + j] = acc;
                    }
                }
            }
        }
        return out;
    }

    @Benchmark
    public void im2colOpenBlas(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(x.backend().conv().conv2dForward(x, w, null, new Conv2dParams(1, 1, 1)));
        }
    }
}
