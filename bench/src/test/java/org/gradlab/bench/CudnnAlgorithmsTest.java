package org.gradlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradlab.natives.cuda.Cudnn;
import org.junit.jupiter.api.Test;

/** The cuDNN report's names and lines (GPU-free: the records are what cuDNN's FindEx fills in on a GPU). */
class CudnnAlgorithmsTest {
    @Test
    void namesFollowCudnnNineEnums() {
        assertEquals("IMPLICIT_PRECOMP_GEMM", CudnnAlgorithms.name("forward", 1));
        assertEquals("WINOGRAD_NONFUSED", CudnnAlgorithms.name("forward", 7));
        assertEquals("FFT_TILING", CudnnAlgorithms.name("backward-data", 3));
        assertEquals("ALGO_3", CudnnAlgorithms.name("backward-filter", 3));
        assertEquals("FFT_TILING", CudnnAlgorithms.name("backward-filter", 6));
        assertEquals("ALGO_42", CudnnAlgorithms.name("forward", 42));
    }

    @Test
    void linesGiveGflopsWorkspaceAndTheChoice() {
        double flops = 231.2e6;
        String chosen = CudnnAlgorithms.line(new Cudnn.AlgoTiming("forward", 1, 0, 0.05f, 1 << 20, true, 3, true), flops);
        assertTrue(chosen.contains("IMPLICIT_PRECOMP_GEMM") && chosen.contains("4624.0 GFLOP/s") && chosen.contains("1.0 MiB")
                && chosen.contains("<- chosen") && chosen.contains("fma"), chosen);
        String unsupported = CudnnAlgorithms.line(new Cudnn.AlgoTiming("backward-data", 2, 9, -1f, 0, false, 1, false), flops);
        assertTrue(unsupported.contains("not supported here (status 9)") && unsupported.contains("non-deterministic")
                && unsupported.contains("tensor-op"), unsupported);
        String heuristic = CudnnAlgorithms.line(new Cudnn.AlgoTiming("backward-filter", 0, 0, -1f, 0, true, 0, false), flops);
        assertTrue(heuristic.contains("not timed"), heuristic);
    }
}
