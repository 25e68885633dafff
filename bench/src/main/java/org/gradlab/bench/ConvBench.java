package org.gradlab.bench;

import java.util.concurrent.TimeUnit;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * conv2d forward, backward-data and backward-filter (as the CPU backend chooses: im2col + one-thread
 * OpenBLAS, or Winograd F(2x2, 3x3) for 3x3 stride-1 convs with 64+ channels; {@link ConvIm2colBench}
 * runs them all on im2col) at the
 * challenge's real shapes: every conv of the exp-08 model and the 3×3 convs of ResNet-18 with the
 * 28×28 stem (layer1 at 28×28 … layer4 at 4×4), batch 32 and 64. GFLOP/s = 2·N·Cout·Cin·k²·Hout·Wout / time.
 * As in training: the forward keeps its im2col matrix when the backend does (not on Winograd)
 * ({@code conv2dForwardKeeping}) and the filter gradient reuses it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ConvBench {
    /**
     * CinxCoutxHxstride (square planes): exp08 conv1..3, then ResNet-18 (28×28 stem): the stem, layer1, the stride-2
     * first convs of layer2..4 and the stride-1 convs of layer2..4.
     */
    @Param({"3x32x28x1", "32x64x14x1", "64x128x7x1", "3x64x28x1", "64x64x28x1", "64x128x28x2", "128x256x14x2", "256x512x7x2",
        "128x128x14x1", "256x256x7x1", "512x512x4x1"})
    public String shape;

    @Param({"32", "64"})
    public int batch;

    private Tensor x;
    private Tensor w;
    private Tensor g;
    private Tensor columns;
    private Conv2dParams p;
    private ConvKernels conv;

    @Setup
    public void setup() {
        KernelFigures.Conv c = KernelFigures.Conv.of(shape, Integer.toString(batch));
        Generator gen = new Generator(1);
        p = new Conv2dParams(c.stride(), 1, 1);
        x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, c.cin(), c.h(), c.h());
        w = Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, c.cout(), c.cin(), 3, 3);
        g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, batch, c.cout(), c.out(), c.out());
        conv = x.backend().conv();
        columns = conv.conv2dForwardKeeping(x, w, null, p).columns(); // null where the backend keeps none
    }

    @Benchmark
    public void forward(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(conv.conv2dForwardKeeping(x, w, null, p));
        }
    }

    @Benchmark
    public void backwardData(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(conv.conv2dBackwardInput(g, w, x.shape(), p));
        }
    }

    @Benchmark
    public void backwardFilter(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(conv.conv2dBackwardWeight(g, x, columns, w.shape(), p));
        }
    }
}
