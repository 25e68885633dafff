package org.gradlab.bench;

import java.util.concurrent.TimeUnit;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.engine.backend.NormKernels;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-channel affine + ReLU chain that follows every conv in inference, relu(x * a[c] + b[c]),
 * at the exp-08 activation shapes, batch 32:
 * <ul>
 *   <li>{@code unfused}: three engine ops (broadcast mul, broadcast add, relu), three passes over
 *       memory and two intermediate tensors;</li>
 *   <li>{@code fused}: the batch-norm inference kernel does x * a + b in one pass, then relu.</li>
 * </ul>
 * Per element both are a handful of flops, so the difference is memory traffic and per-op
 * overhead: divide the time by N·C·H·W for ns per element.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ElementwiseBench {
    /** CxH (square planes). */
    @Param({"32x28", "64x14", "128x7"})
    public String shape;

    private Tensor x;
    private Tensor scale;
    private Tensor shift;
    private Tensor mean;
    private Tensor var;
    private Tensor weight;
    private Tensor bias;
    private NormKernels norms;

    @Setup
    public void setup() {
        ChannelInputs in = ChannelInputs.of(shape, 32, new Generator(1));
        x = in.x();
        weight = in.weight();
        bias = in.bias();
        mean = in.runningMean();
        var = in.runningVar();
        scale = weight.reshape(1, in.channels(), 1, 1);
        shift = bias.reshape(1, in.channels(), 1, 1);
        norms = x.backend().norm();
    }

    @Benchmark
    public void unfused(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.noGrad()) {
            bh.consume(x.mul(scale).add(shift).relu());
        }
    }

    @Benchmark
    public void fused(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open(); GradMode g = GradMode.noGrad()) {
            bh.consume(norms.batchNormForward(x, weight, bias, mean, var, false, 0.1, 0).out().relu());
        }
    }
}
