package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.PoolKernels;
import org.gradlab.engine.backend.PoolKernels.GateGrads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Squeeze-excitation's gate on float32 ({@link ChannelGate32}: out = x * gate per plane; one
 * pass giving dx = g * gate and dlogits = Σ(g·x) · gate · (1 − gate)) against the float64
 * default of {@link PoolKernels} (broadcasting multiply, sum, multiply; the op is gradchecked):
 * planes whose size is not a multiple of the eight-way unrolling (1, 3, 35), the small planes'
 * loops (2, 2x2 also over two staged blocks, 4x4), planes larger than
 * one staged block, a strided input, and each gradient alone; and squeeze-excitation's input
 * gradient dx = g * gate + spread per plane in one pass.
 */
class ChannelGateF32PathTest {
    private static final PoolKernels POOL = CpuBackend.INSTANCE.pool();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {2, 3, 1, 1}, false),
                Arguments.of(new int[] {3, 4, 1, 3}, true),
                Arguments.of(new int[] {2, 5, 5, 7}, true),
                Arguments.of(new int[] {2, 5, 1, 2}, false), // small planes: factors spread over positions
                Arguments.of(new int[] {3, 7, 2, 2}, true),
                Arguments.of(new int[] {2, 2100, 2, 2}, false), // 2x2 planes over two staged blocks
                Arguments.of(new int[] {4, 6, 4, 4}, true), // small planes: products summed per plane
                Arguments.of(new int[] {4, 16, 8, 8}, false),
                Arguments.of(new int[] {2, 3, 130, 129}, false)); // one plane > one staged block
    }

    @ParameterizedTest(name = "x {0} strided {1}")
    @MethodSource("cases")
    void float32GateMatchesTheReference(int[] shape, boolean strided) {
        Generator gen = new Generator(shape[1] * 31 + shape[2]);
        Tensor x64 = exactInF32(gen, shape).mul(2.0);
        Tensor g64 = exactInF32(gen, shape);
        Tensor logits64 = exactInF32(gen, shape[0], shape[1], 1, 1).mul(3.0);
        Tensor gate64 = logits64.sigmoid().to(DType.F32).to(DType.F64); // the very gate float32 sees
        Tensor x32 = x64.to(DType.F32);
        Tensor g32 = g64.to(DType.F32);
        Tensor gate32 = gate64.to(DType.F32);
        if (strided) { // the same values, read through transposed views
            x64 = x64.transpose(2, 3).contiguous().transpose(2, 3);
            x32 = x32.transpose(2, 3).contiguous().transpose(2, 3);
            g32 = g32.transpose(2, 3).contiguous().transpose(2, 3);
        }
        assertClose(POOL.channelGateForward(x32, gate32), POOL.channelGateForward(x64, gate64), 1e-6, "out");
        GateGrads ref = POOL.channelGateBackward(g64, x64, gate64, true, true);
        GateGrads both = POOL.channelGateBackward(g32, x32, gate32, true, true);
        assertClose(both.gradX(), ref.gradX(), 1e-6, "dx");
        assertClose(both.gradLogits(), ref.gradLogits(), 1e-5, "dlogits");
        GateGrads onlyX = POOL.channelGateBackward(g32, x32, gate32, true, false);
        assertNull(onlyX.gradLogits());
        assertClose(onlyX.gradX(), ref.gradX(), 1e-6, "dx alone");
        GateGrads onlyLogits = POOL.channelGateBackward(g32, x32, gate32, false, true);
        assertNull(onlyLogits.gradX());
        assertClose(onlyLogits.gradLogits(), ref.gradLogits(), 1e-5, "dlogits alone");
        Tensor spread64 = exactInF32(gen, shape[0], shape[1], 1, 1); // squeeze-excitation's pooled path
        assertClose(POOL.channelGateInputGradient(g32, gate32, spread64.to(DType.F32)),
                POOL.channelGateInputGradient(g64, gate64, spread64), 1e-6, "dx = g * gate + spread");
    }
}
