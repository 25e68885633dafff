package org.gradlab.bench;

import java.util.concurrent.TimeUnit;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.PoolKernels;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

/**
 * max_pool2d (2×2, stride 2) and batch_norm2d (training) forward and backward at the exp-08
 * activation shapes (after conv1..3) and ResNet-18's layer1 (64×28×28), batch 32 and 64.
 * Element rate = input elements / time; these kernels are memory-bound, so compare with memcpy
 * bandwidth rather than GFLOP/s.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PoolNormBench {
    /** CxH (square planes). */
    @Param({"32x28", "64x14", "128x7", "64x28"})
    public String shape;

    @Param({"32", "64"})
    public int batch;

    private Tensor x;
    private Tensor pooled;
    private Tensor gPool;
    private Tensor g;
    private Tensor weight;
    private Tensor bias;
    private Tensor runMean;
    private Tensor runVar;
    private NormKernels.BatchNormResult bn;
    private final Pool2dParams pool = new Pool2dParams(2, 2, 0);
    private PoolKernels pools;
    private NormKernels norms;

    @Setup
    public void setup() {
        Generator gen = new Generator(1);
        ChannelInputs in = ChannelInputs.of(shape, batch, gen);
        x = in.x();
        weight = in.weight();
        bias = in.bias();
        runMean = in.runningMean();
        runVar = in.runningVar();
        g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, x.shape());
        pools = x.backend().pool();
        norms = x.backend().norm();
        pooled = pools.maxPool2dForward(x, pool);
        gPool = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, pooled.shape());
        bn = norms.batchNormForward(x, weight, bias, runMean, runVar, true, 0.1, 1e-5);
    }

    @Benchmark
    public void maxPoolForward(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(pools.maxPool2dForward(x, pool));
        }
    }

    @Benchmark
    public void maxPoolBackward(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(pools.maxPool2dBackward(gPool, x, pooled, pool));
        }
    }

    @Benchmark
    public void batchNormForward(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(norms.batchNormForward(x, weight, bias, runMean, runVar, true, 0.1, 1e-5));
        }
    }

    @Benchmark
    public void batchNormBackward(Blackhole bh) {
        try (MemoryScope s = MemoryScope.open()) {
            bh.consume(norms.batchNormBackward(g, x, weight, bn.saveMean(), bn.saveInvstd(), true, true, true, true));
        }
    }
}
