package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.ConvKernels.ConvForward;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU forward keeps its float32 im2col matrix and the filter gradient reuses it: the result
 * must be bit for bit the one that recomputes it, on the per-sample path, the several-samples-
 * per-GEMM path (with a partial last block), strided and shifted-plane geometries.
 */
class ConvKeptColumnsTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {70, 4, 4, 4}, new int[] {32, 4, 3, 3}, new Conv2dParams(1, 1, 1)), // blocks 50 + 20
                // blocks, stride 2 (unpadded: a padded one skips its padding's taps on ConvStrided32, which keeps nothing)
                Arguments.of(new int[] {40, 8, 9, 9}, new int[] {32, 8, 3, 3}, new Conv2dParams(2, 0, 1)),
                Arguments.of(new int[] {3, 3, 28, 28}, new int[] {32, 3, 3, 3}, new Conv2dParams(1, 1, 1)), // per sample
                Arguments.of(new int[] {4, 3, 9, 9}, new int[] {8, 3, 5, 5}, new Conv2dParams(1, 2, 1)), // 5x5 shift, narrow
                Arguments.of(new int[] {2, 3, 9, 7}, new int[] {4, 3, 3, 3}, new Conv2dParams(1, 0, 1))); // no padding
    }

    @ParameterizedTest
    @MethodSource("cases")
    void keptColumnsGiveTheRecomputedFilterGradientExactly(int[] xs, int[] ws, Conv2dParams p) {
        Generator gen = new Generator(5);
        Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, xs);
        Tensor w = Tensor.normal(gen, 0, 0.3, DType.F32, Device.CPU, ws);
        Tensor b = Tensor.normal(gen, 0, 0.3, DType.F32, Device.CPU, ws[0]);
        ConvKernels conv = x.backend().conv();
        ConvForward f = conv.conv2dForwardKeeping(x, w, b, p);
        assertArrayEquals(conv.conv2dForward(x, w, b, p).toDoubleArray(), f.out().toDoubleArray());
        assertNotNull(f.columns(), "a float32 conv this small keeps its columns");
        long k = (long) xs[1] * ws[2] * ws[3];
        assertEquals(k * xs[0] * f.out().shape(2) * f.out().shape(3), f.columns().numel());
        Tensor g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, f.out().shape());
        assertArrayEquals(conv.conv2dBackwardWeight(g, x, ws, p).toDoubleArray(),
                conv.conv2dBackwardWeight(g, x, f.columns(), ws, p).toDoubleArray());
    }

    @Test
    void theOpSavesColumnsOnlyWhenTheWeightNeedsItsGradient() {
        Generator gen = new Generator(6);
        Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 2, 3, 6, 6).requiresGrad(true);
        Tensor w = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 4, 3, 3, 3);
        assertEquals(2, Conv2d.apply(x, w, null, 1, 1, 1).gradFn().savedTensors().size());
        w.requiresGrad(true);
        Tensor out = Conv2d.apply(x, w, null, 1, 1, 1);
        assertEquals(3, out.gradFn().savedTensors().size());
        Tensor d = Tensor.normal(gen, 0, 1, DType.F64, Device.CPU, 2, 3, 6, 6).requiresGrad(true);
        Tensor dw = Tensor.normal(gen, 0, 1, DType.F64, Device.CPU, 4, 3, 3, 3).requiresGrad(true);
        assertEquals(2, Conv2d.apply(d, dw, null, 1, 1, 1).gradFn().savedTensors().size(), "float64 keeps nothing");
    }

    @Test
    void columnsOfAnotherInputAreRefused() {
        Generator gen = new Generator(7);
        Tensor x = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 2, 3, 6, 6);
        Tensor w = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 4, 3, 3, 3);
        ConvKernels conv = x.backend().conv();
        Conv2dParams p = new Conv2dParams(1, 1, 1);
        Tensor other = conv.conv2dForwardKeeping(Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 3, 3, 6, 6), w, null, p)
                .columns();
        Tensor g = Tensor.normal(gen, 0, 1, DType.F32, Device.CPU, 2, 4, 6, 6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.conv2dBackwardWeight(g, x, other, w.shape(), p));
        assertTrue(e.getMessage().contains("expected 1944"), e.getMessage());
    }
}
