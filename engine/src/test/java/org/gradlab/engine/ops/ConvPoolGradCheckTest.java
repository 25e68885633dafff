package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;
import org.gradlab.engine.check.GradCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Float64 central-difference gradcheck of conv2d and the pools on random, odd-sized shapes. */
class ConvPoolGradCheckTest {
    private static final Generator GEN = new Generator(2024);

    static Tensor r(int... shape) {
        return Tensor.uniform(GEN, -1, 1, DType.F64, Device.CPU, shape);
    }

    static Arguments c(String name, Function<Tensor[], Tensor> f, Tensor... in) {
        return Arguments.of(name, f, in);
    }

    static Function<Tensor[], Tensor> conv(int s, int p, int g) {
        return t -> Conv2d.apply(t[0], t[1], t.length > 2 ? t[2] : null, s, p, g);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("conv k3 s1 p1 odd", conv(1, 1, 1), r(2, 2, 5, 7), r(3, 2, 3, 3), r(3)),
                c("conv k3 s2 p1", conv(2, 1, 1), r(2, 3, 7, 6), r(4, 3, 3, 3), r(4)),
                c("conv k3 s2 p0 no bias", conv(2, 0, 1), r(1, 2, 8, 7), r(3, 2, 3, 3)),
                c("conv k5 s3 p2", conv(3, 2, 1), r(1, 2, 9, 8), r(2, 2, 5, 5), r(2)),
                c("conv k2x3 kernel", conv(1, 1, 1), r(1, 2, 5, 6), r(3, 2, 2, 3), r(3)),
                c("conv groups 2", conv(1, 1, 2), r(2, 4, 5, 5), r(6, 2, 3, 3), r(6)),
                c("conv groups 2 s2 no bias", conv(2, 1, 2), r(1, 4, 7, 6), r(4, 2, 3, 3)),
                c("conv depthwise s1 p1", conv(1, 1, 3), r(2, 3, 6, 5), r(3, 1, 3, 3), r(3)),
                c("conv depthwise s2 p1 no bias", conv(2, 1, 4), r(1, 4, 7, 7), r(4, 1, 3, 3)),
                c("conv depthwise multiplier 2", conv(1, 0, 2), r(1, 2, 5, 4), r(4, 1, 3, 2), r(4)),
                c("conv 1x1 s1 p0 (no im2col)", conv(1, 0, 1), r(2, 3, 4, 5), r(5, 3, 1, 1), r(5)),
                c("conv 1x1 s1 p0 groups 3", conv(1, 0, 3), r(1, 6, 3, 3), r(3, 2, 1, 1)),
                c("conv 1x1 s2", conv(2, 0, 1), r(1, 3, 5, 5), r(2, 3, 1, 1), r(2)),
                c("conv asymmetric stride/padding", t -> Conv2d.apply(t[0], t[1], t[2], new Conv2dParams(2, 1, 0, 2, 1)),
                        r(1, 2, 7, 5), r(3, 2, 3, 3), r(3)),
                c("conv of a permuted view", t -> Conv2d.apply(t[0].permute(0, 1, 3, 2), t[1], null, 1, 1, 1),
                        r(1, 2, 4, 5), r(2, 2, 3, 3)),
                c("maxpool k2 s2 odd", t -> MaxPool2d.apply(t[0], 2, 2, 0), r(2, 3, 5, 7)),
                c("maxpool k3 s2 p1", t -> MaxPool2d.apply(t[0], 3, 2, 1), r(2, 2, 7, 6)),
                c("maxpool k3 s1 overlapping", t -> MaxPool2d.apply(t[0], 3, 1, 1), r(1, 2, 5, 5)),
                c("maxpool k2x3 asymmetric", t -> MaxPool2d.apply(t[0], new Pool2dParams(2, 3, 1, 2, 1, 1)), r(1, 2, 5, 6)),
                c("avgpool k2 s2 odd", t -> AvgPool2d.apply(t[0], 2, 2, 0, true), r(2, 3, 5, 7)),
                c("avgpool k3 s2 p1 incpad", t -> AvgPool2d.apply(t[0], 3, 2, 1, true), r(2, 2, 7, 6)),
                c("avgpool k3 s2 p1 excpad", t -> AvgPool2d.apply(t[0], 3, 2, 1, false), r(2, 2, 7, 6)),
                c("avgpool k3 s1 p1 overlapping excpad", t -> AvgPool2d.apply(t[0], 3, 1, 1, false), r(1, 2, 5, 4)),
                c("adaptive 1x1", t -> AdaptiveAvgPool2d.apply(t[0], 1, 1), r(2, 3, 5, 7)),
                c("adaptive 3x2 overlapping bins", t -> AdaptiveAvgPool2d.apply(t[0], 3, 2), r(1, 2, 7, 5)),
                c("adaptive 4x4 from 3x3 (upsampling bins)", t -> AdaptiveAvgPool2d.apply(t[0], 4, 4), r(1, 2, 3, 3)),
                c("conv -> relu -> maxpool -> adaptive", t -> AdaptiveAvgPool2d.apply(
                        MaxPool2d.apply(Conv2d.apply(t[0], t[1], t[2], 1, 1, 1).relu(), 2, 2, 0), 1, 1),
                        r(2, 2, 6, 6), r(3, 2, 3, 3), r(3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck(String name, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        GradCheck.Result res = GradCheck.check(name, f, inputs);
        assertTrue(res.passed(), res.failure());
    }
}
