package org.gradlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The arithmetic behind the derived kernel table: conv flops, output size, equal GEMM, units. */
class KernelFiguresTest {
    @Test
    void convFlopsAndTheirEqualGemm() {
        KernelFigures.Conv c = KernelFigures.Conv.of("32x64x14x1", "32");
        assertEquals(2.0 * 32 * 64 * 32 * 9 * 14 * 14, c.flops());
        assertEquals("64x196x288", c.equalGemm());
        assertEquals(c.flops() / 32, KernelFigures.gemmFlops(c.equalGemm())); // one sample's GEMM
        KernelFigures.Conv strided = KernelFigures.Conv.of("64x128x28x2", "64");
        assertEquals(14, strided.out()); // floor((28 + 2 - 3) / 2) + 1
        assertEquals("128x196x576", strided.equalGemm());
        assertEquals(28, KernelFigures.Conv.of("3x32x28", "32").out()); // NaiveConvBench shapes: stride 1
    }

    @Test
    void scoresConvertToSecondsPerOp() {
        assertEquals(1e-3, KernelFigures.secondsPer("ms/op"));
        assertEquals(1e-6, KernelFigures.secondsPer("us/op"));
        assertEquals(48.0, KernelFigures.gemmFlops("2x3x4"));
        assertEquals(32L * 64 * 14 * 14, ChannelInputs.elements("64x14", 32)); // PoolNormBench / ElementwiseBench shapes
        assertThrows(IllegalArgumentException.class, () -> KernelFigures.secondsPer("ops/s"));
    }
}
