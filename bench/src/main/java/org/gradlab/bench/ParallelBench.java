package org.gradlab.bench;

import java.util.concurrent.TimeUnit;
import org.gradlab.engine.backend.cpu.Parallel;
import org.openjdk.jmh.annotations.*;

/**
 * What one split costs: the shape of a training step's kernels, a stretch of single-threaded
 * work ({@code gapMicros}, the autograd bookkeeping between two kernels) followed by a kernel of
 * 200 µs of work split across {@code threads} with {@code Parallel.forChunks}. The ideal score
 * is gap + 200 / threads µs; what is above it is the cost of waking the workers and waiting for
 * the last chunk. (Busy-wait work, so the figure does not depend on memory bandwidth.)
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ParallelBench {
    @Param({"1", "2"})
    public int threads;

    @Param({"10", "50"})
    public int gapMicros;

    private volatile double sink;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
    }

    private static double busy(long nanos) {
        long t = System.nanoTime();
        double s = 0;
        while (System.nanoTime() - t < nanos) {
            s += Math.sqrt(s + 1);
        }
        return s;
    }

    @Benchmark
    public void gapThenSplitKernel() {
        sink = busy(gapMicros * 1000L);
        long perChunk = 200_000L / threads;
        Parallel.forChunks(threads, 1, (c, from, to) -> sink = busy(perChunk));
    }
}
