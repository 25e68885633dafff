package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.check.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Float64 gradcheck of batch norm, log-softmax, NLL, cross-entropy and dropout, plus their edge cases. */
class NormLossGradCheckTest {
    private static final Generator GEN = new Generator(7);
    private static final int[] Y = {2, 0, 4, 4, 1};

    static Tensor r(int... shape) {
        return Tensor.uniform(GEN, -1, 1, DType.F64, Device.CPU, shape);
    }

    static Tensor pos(int... shape) {
        return Tensor.uniform(GEN, 0.5, 2, DType.F64, Device.CPU, shape);
    }

    static Tensor y() {
        return Targets.of(Y, Tensor.zeros(DType.F64, Device.CPU, 1));
    }

    static Arguments c(String name, Function<Tensor[], Tensor> f, Tensor... in) {
        return Arguments.of(name, f, in);
    }

    static Stream<Arguments> cases() {
        Tensor rm = r(3);
        Tensor rv = pos(3);
        Stream<Arguments> fixed = Stream.of(
                c("batchnorm train affine", t -> BatchNorm2d.apply(t[0], t[1], t[2], null, null, true, 0.1, 1e-5),
                        r(2, 3, 2, 3), pos(3), r(3)),
                c("batchnorm train no affine", t -> BatchNorm2d.apply(t[0], null, null, null, null, true, 0.1, 1e-5),
                        r(4, 3, 1, 2)),
                c("batchnorm eval", t -> BatchNorm2d.apply(t[0], t[1], t[2], rm, rv, false, 0.1, 1e-5),
                        r(2, 3, 2, 2), pos(3), r(3)),
                c("log_softmax", t -> LogSoftmax.apply(t[0]), r(4, 6)),
                c("log_softmax big logits", t -> LogSoftmax.apply(t[0].mul(30)), r(3, 5)),
                c("dropout p0.4 fixed mask", t -> Dropout.apply(t[0], 0.4, true, new Generator(11)), r(5, 4)));
        Stream.Builder<Arguments> b = Stream.builder();
        Tensor w = pos(6);
        for (Reduction red : Reduction.values()) {
            b.add(c("nll " + red, t -> NllLoss.apply(t[0], y(), null, red), r(5, 6)));
            b.add(c("nll weighted " + red, t -> NllLoss.apply(t[0], y(), w, red), r(5, 6)));
            b.add(c("cross_entropy " + red, t -> CrossEntropy.apply(t[0], y(), null, 0.0, red), r(5, 6)));
            b.add(c("cross_entropy weighted ls0.2 " + red, t -> CrossEntropy.apply(t[0], y(), w, 0.2, red), r(5, 6)));
            b.add(c("cross_entropy ls0.1 " + red, t -> CrossEntropy.apply(t[0], Y, null, 0.1, red), r(5, 6)));
        }
        return Stream.concat(fixed, b.build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck(String name, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        GradCheck.Result res = GradCheck.check(name, f, inputs);
        assertTrue(res.passed(), res.failure());
    }

    @Test
    void crossEntropyEqualsLogSoftmaxThenNll() {
        Tensor x = r(5, 6);
        Tensor w = pos(6);
        for (Reduction red : Reduction.values()) {
            double[] fused = CrossEntropy.apply(x, y(), w, 0.0, red).toDoubleArray();
            double[] composed = NllLoss.apply(LogSoftmax.apply(x), y(), w, red).toDoubleArray();
            assertArrayEquals(composed, fused, 1e-12, red.name());
        }
    }

    @Test
    void badTargetNamesTheIndex() {
        Tensor x = r(3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CrossEntropy.apply(x, new int[] {0, 4, 1}, null, 0, Reduction.MEAN));
        assertTrue(e.getMessage().contains("target[1] = 4") && e.getMessage().contains("[0, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NllLoss.apply(x, Tensor.of(new double[] {0, 1.5, 1}, 3), null, Reduction.SUM));
        assertTrue(e.getMessage().contains("target[1] = 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NllLoss.apply(x, Tensor.of(new double[] {-1, 0, 1}, 3), null, Reduction.SUM));
        assertTrue(e.getMessage().contains("target[0] = -1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CrossEntropy.apply(x, new int[] {0, 1}, null, 0, Reduction.MEAN));
        e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.apply(x.detach().requiresGrad(true),
                new int[] {0, 1, 2}, pos(4).requiresGrad(true), 0, Reduction.MEAN));
        assertTrue(e.getMessage().contains("class weight"), e.getMessage());
    }

    @Test
    void dropoutSemantics() {
        Tensor x = Tensor.ones(DType.F32, Device.CPU, 1000);
        assertSame(x, Dropout.apply(x, 0.5, false, new Generator(1)));
        assertSame(x, Dropout.apply(x, 0.0, true, new Generator(1)));
        float[] a = Dropout.apply(x, 0.25, true, new Generator(3)).toFloatArray();
        float[] b = Dropout.apply(x.to(DType.F64), 0.25, true, new Generator(3)).toFloatArray();
        assertArrayEquals(a, b);
        int kept = 0;
        for (float v : a) {
            assertTrue(v == 0f || Math.abs(v - 4f / 3f) < 1e-6, "value " + v);
            kept += v != 0 ? 1 : 0;
        }
        assertTrue(kept > 700 && kept < 800, "kept " + kept);
        Tensor z = Dropout.apply(x.detach().requiresGrad(true), 1.0, true, new Generator(3));
        for (float v : z.toFloatArray()) {
            assertEquals(0f, v);
        }
        assertThrows(IllegalArgumentException.class, () -> Dropout.apply(x, 1.5, true, new Generator(1)));
    }

    @Test
    void batchNormUpdatesRunningStatsInPlaceAndEvalLeavesThem() {
        Tensor x = r(4, 2, 3, 3);
        Tensor rm = Tensor.zeros(DType.F64, Device.CPU, 2);
        Tensor rv = Tensor.ones(DType.F64, Device.CPU, 2);
        Object storageBefore = rm.storage();
        BatchNorm2d.apply(x, null, null, rm, rv, true, 0.1, 1e-5);
        assertSame(storageBefore, rm.storage());
        double[] xs = x.toDoubleArray();
        for (int ch = 0; ch < 2; ch++) {
            double s = 0;
            double s2 = 0;
            int n = 0;
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < 9; k++) {
                    double v = xs[(i * 2 + ch) * 9 + k];
                    s += v;
                    s2 += v * v;
                    n++;
                }
            }
            double mean = s / n;
            double unbiased = (s2 - n * mean * mean) / (n - 1);
            assertEquals(0.1 * mean, rm.toDoubleArray()[ch], 1e-12);
            assertEquals(0.9 + 0.1 * unbiased, rv.toDoubleArray()[ch], 1e-12);
        }
        double[] rmBefore = rm.toDoubleArray();
        BatchNorm2d.apply(x, null, null, rm, rv, false, 0.1, 1e-5);
        assertArrayEquals(rmBefore, rm.toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> BatchNorm2d.apply(r(1, 2, 1, 1), null, null, null, null, true, 0.1, 1e-5));
        assertThrows(IllegalArgumentException.class, () -> BatchNorm2d.apply(x, r(3), null, null, null, true, 0.1, 1e-5));
    }
}
