package org.gradlab.bench;

import java.util.concurrent.TimeUnit;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.RowKernels;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * float32 layer norm (over the last dim, with weight and bias) and last-axis softmax, forward and
 * backward, at ViT-Tiny's shapes for a batch of 32: layer norm over 192 features of every token
 * (224 px / patch 16: 197 tokens; 28 px / patch 4: 50 tokens) and softmax over the attention
 * scores' rows (3 heads, 197 or 50 keys). Memory-bound: compare ns per element with the other
 * memory-bound kernels.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RowKernelsBench {
    /** ViT-Tiny's input size: 224 (patch 16, 197 tokens) or 28 (patch 4, 50 tokens). */
    @Param({"224", "28"})
    public int imageSize;

    private Tensor x;
    private Tensor g;
    private Tensor weight;
    private Tensor bias;
    private RowKernels.LayerNormResult ln;
    private Tensor s;
    private Tensor sg;
    private Tensor sy;
    private RowKernels rows;

    private static final int BATCH = 32;
    private static final int HIDDEN = 192;
    private static final int HEADS = 3;

    /** Tokens of one image: the patches plus the class token. */
    static int tokens(int imageSize) {
        int patch = imageSize == 224 ? 16 : 4;
        return (imageSize / patch) * (imageSize / patch) + 1;
    }

    /** Layer norm's {rows, features}: every token of the batch, 192 features. */
    static int[] normShape(int imageSize) {
        return new int[] {BATCH * tokens(imageSize), HIDDEN};
    }

    /** Softmax's {rows, row length}: one row of scores per (sample, head, query), one entry per key. */
    static int[] scoreShape(int imageSize) {
        return new int[] {BATCH * HEADS * tokens(imageSize), tokens(imageSize)};
    }

    @Setup
    public void setup() {
        Generator gen = new Generator(1);
        int[] n = normShape(imageSize);
        x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, n);
        g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, n);
        weight = Tensor.uniform(gen, 0.5, 1.5, DType.F32, Device.CPU, n[1]);
        bias = Tensor.uniform(gen, -0.5, 0.5, DType.F32, Device.CPU, n[1]);
        rows = x.backend().rows();
        ln = rows.layerNormForward(x, n[1], weight, bias, 1e-6);
        int[] m = scoreShape(imageSize);
        s = Tensor.normal(gen, 0, 3, DType.F32, Device.CPU, m);
        sg = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, m);
        sy = rows.softmax(s, 1);
    }

    @Benchmark
    public void layerNormForward(Blackhole bh) {
        try (MemoryScope sc = MemoryScope.open()) {
            bh.consume(rows.layerNormForward(x, x.shape(1), weight, bias, 1e-6));
        }
    }

    @Benchmark
    public void layerNormBackward(Blackhole bh) {
        try (MemoryScope sc = MemoryScope.open()) {
            bh.consume(rows.layerNormBackward(g, x, x.shape(1), weight, ln.mean(), ln.invstd(), true, true, true));
        }
    }

    @Benchmark
    public void softmaxForward(Blackhole bh) {
        try (MemoryScope sc = MemoryScope.open()) {
            bh.consume(rows.softmax(s, 1));
        }
    }

    @Benchmark
    public void softmaxBackward(Blackhole bh) {
        try (MemoryScope sc = MemoryScope.open()) {
            bh.consume(rows.softmaxBackward(sg, sy, 1));
        }
    }
}
