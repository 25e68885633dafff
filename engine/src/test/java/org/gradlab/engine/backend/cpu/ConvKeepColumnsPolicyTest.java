package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.ConvKernels.ConvForward;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which float32 convs keep their im2col columns for the filter gradient: sample-block convs up
 * to 2 Mi floats, per-sample convs only up to 256 Ki floats (above that the per-sample filter
 * gradient redoes each sample's im2col in L2, which is cheaper than writing and re-reading the
 * batch's columns); the gradient is the same bits either way.
 */
class ConvKeepColumnsPolicyTest {
    private static final Conv2dParams SAME = new Conv2dParams(1, 1, 1);
    private int threadsBefore;

    @BeforeEach
    void oneThread() {
        threadsBefore = Parallel.threads();
        Parallel.setThreads(1); // the block size, hence the path of the 7x7 conv, follows the thread count
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(threadsBefore);
    }

    private static ConvForward keeping(int[] xs, int[] ws, Generator gen) {
        Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, xs);
        Tensor w = Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, ws);
        return x.backend().conv().conv2dForwardKeeping(x, w, null, SAME);
    }

    @Test
    void exp08sPerSampleConvRecomputesItsColumnsABlockConvKeepsThemAndWinogradBuildsNone() {
        Generator gen = new Generator(3);
        try (MemoryScope s = MemoryScope.open()) {
            int[] x14 = {32, 32, 14, 14};
            int[] w14 = {64, 32, 3, 3};
            assertEquals(CpuConv.Path32.WINOGRAD, CpuConv.path32(CpuConv.Plan.of(x14, w14, SAME)));
            assertNull(keeping(x14, w14, gen).columns(), "32->64 at 14x14, batch 32: Winograd");
            int[] x28 = {32, 3, 28, 28};
            int[] w28 = {32, 3, 3, 3};
            assertEquals(CpuConv.Path32.PER_SAMPLE, CpuConv.path32(CpuConv.Plan.of(x28, w28, SAME)));
            assertNull(keeping(x28, w28, gen).columns(), "3->32 at 28x28, batch 32: 677 Ki floats per sample path");
            int[] x7 = {32, 16, 7, 7};
            int[] w7 = {128, 16, 3, 3};
            assertEquals(CpuConv.Path32.SAMPLE_BLOCKS, CpuConv.path32(CpuConv.Plan.of(x7, w7, SAME)));
            assertNotNull(keeping(x7, w7, gen).columns(), "16->128 at 7x7, batch 32: 0.2 Mi floats in sample blocks");
        }
    }

    @Test
    void aSmallPerSampleConvKeepsItsColumnsAndTheFilterGradientIsTheSameBits() {
        Generator gen = new Generator(4);
        int[] xs = {4, 3, 28, 28}; // 27 x 4 x 784 = 84,672 floats
        int[] ws = {32, 3, 3, 3};
        assertEquals(CpuConv.Path32.PER_SAMPLE, CpuConv.path32(CpuConv.Plan.of(xs, ws, SAME)));
        Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, xs);
        Tensor w = Tensor.normal(gen, 0, 0.1, DType.F32, Device.CPU, ws);
        CpuConv conv = (CpuConv) x.backend().conv();
        ConvForward f = conv.conv2dForwardKeeping(x, w, null, SAME);
        assertNotNull(f.columns());
        Tensor g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, f.out().shape());
        assertArrayEquals(conv.conv2dBackwardWeight(g, x, ws, SAME).toDoubleArray(),
                conv.conv2dBackwardWeight(g, x, f.columns(), ws, SAME).toDoubleArray());
    }
}
