package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.api.Test;

/** Shape and argument errors of conv2d and the pools name the op, what was expected and what came. */
class ConvPoolErrorsTest {
    static Tensor z(int... shape) {
        return Tensor.zeros(DType.F32, Device.CPU, shape);
    }

    static String msg(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void convChannelMismatch() {
        assertEquals("conv2d: input has 3 channels but weight expects 8 (input [32,3,28,28], weight [16,8,3,3])",
                msg(() -> Conv2d.apply(z(32, 3, 28, 28), z(16, 8, 3, 3), null, 1, 1, 1)));
    }

    @Test
    void convGroupedChannelMismatch() {
        assertEquals("conv2d: input has 6 channels but weight expects 4 (2 per group x 2 groups) (input [1,6,5,5], "
                + "weight [4,2,3,3])", msg(() -> Conv2d.apply(z(1, 6, 5, 5), z(4, 2, 3, 3), null, 1, 1, 2)));
    }

    @Test
    void convGroupsMustDivideOutputChannels() {
        assertEquals("conv2d: weight has 5 output channels, not divisible by groups=2 (input [1,4,5,5], weight [5,2,3,3])",
                msg(() -> Conv2d.apply(z(1, 4, 5, 5), z(5, 2, 3, 3), null, 1, 1, 2)));
    }

    @Test
    void convBiasShape() {
        assertEquals("conv2d: bias must have shape [4], got [3]",
                msg(() -> Conv2d.apply(z(1, 2, 5, 5), z(4, 2, 3, 3), z(3), 1, 1, 1)));
    }

    @Test
    void convRank() {
        assertEquals("conv2d: input must be 4-D, got shape [2,5,5]",
                msg(() -> Conv2d.apply(z(2, 5, 5), z(4, 2, 3, 3), null, 1, 1, 1)));
        assertEquals("conv2d: weight must be 4-D, got shape [4,2,3]",
                msg(() -> Conv2d.apply(z(1, 2, 5, 5), z(4, 2, 3), null, 1, 1, 1)));
    }

    @Test
    void convKernelLargerThanInput() {
        assertEquals("conv2d: kernel 7x7 is larger than the padded input 6x6 (input [1,2,4,4], weight [3,2,7,7])",
                msg(() -> Conv2d.apply(z(1, 2, 4, 4), z(3, 2, 7, 7), null, 1, 1, 1)));
    }

    @Test
    void convBadParams() {
        assertEquals("conv2d: stride must be >= 1, padding >= 0 and groups >= 1, got stride (0,0), padding (1,1), groups 1",
                msg(() -> Conv2d.apply(z(1, 2, 4, 4), z(3, 2, 3, 3), null, 0, 1, 1)));
    }

    @Test
    void convDtypeMismatch() {
        Tensor w = Tensor.zeros(DType.F64, Device.CPU, 3, 2, 3, 3);
        assertEquals("conv2d: tensors have different dtypes (float32 and float64); convert with to(dtype) first",
                msg(() -> Conv2d.apply(z(1, 2, 4, 4), w, null, 1, 1, 1)));
    }

    @Test
    void poolPaddingAtMostHalfKernel() {
        assertEquals("max_pool2d: padding (2,2) must be at most half the kernel size (3,3)",
                msg(() -> MaxPool2d.apply(z(1, 1, 8, 8), 3, 1, 2)));
        assertEquals("avg_pool2d: padding (2,2) must be at most half the kernel size (3,3)",
                msg(() -> AvgPool2d.apply(z(1, 1, 8, 8), 3, 1, 2, true)));
    }

    @Test
    void poolKernelLargerThanInput() {
        assertEquals("max_pool2d: kernel 3x3 is larger than the padded input 2x2 (input [1,1,2,2])",
                msg(() -> MaxPool2d.apply(z(1, 1, 2, 2), 3, 1, 0)));
    }

    @Test
    void poolRankAndSizes() {
        assertEquals("avg_pool2d: input must be 4-D, got shape [3,8,8]", msg(() -> AvgPool2d.apply(z(3, 8, 8), 2, 2, 0, true)));
        assertEquals("adaptive_avg_pool2d: output size must be >= 1, got (0,1)",
                msg(() -> AdaptiveAvgPool2d.apply(z(1, 1, 4, 4), 0, 1)));
        assertEquals("pool2d: kernel and stride must be >= 1 and padding >= 0, got kernel (2,2), stride (0,0), padding (0,0)",
                msg(() -> MaxPool2d.apply(z(1, 1, 4, 4), 2, 0, 0)));
    }
}
