package org.gradlab.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.gradlab.engine.check.GradCheck;
import org.gradlab.engine.ops.Linear;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Float64 central-difference gradcheck of the elementwise, reduction, matmul and shape ops. */
class CoreOpsGradCheckTest {
    private static final Generator GEN = new Generator(42);

    static Tensor r(int... shape) {
        return Tensor.uniform(GEN, -1, 1, DType.F64, Device.CPU, shape);
    }

    static Tensor pos(int... shape) {
        return Tensor.uniform(GEN, 0.5, 2, DType.F64, Device.CPU, shape);
    }

    static Arguments c(String name, Function<Tensor[], Tensor> f, Tensor... in) {
        return Arguments.of(name, f, in);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("add broadcast", t -> t[0].add(t[1]), r(2, 3, 4), r(3, 1)),
                c("sub broadcast", t -> t[0].sub(t[1]), r(4, 1, 5), r(3, 5)),
                c("mul broadcast", t -> t[0].mul(t[1]), r(2, 3, 5, 1), r(3, 1, 4)),
                c("div", t -> t[0].div(t[1]), r(3, 4), pos(4)),
                c("neg", t -> t[0].neg(), r(5)),
                c("exp", t -> t[0].exp(), r(3, 3)),
                c("log", t -> t[0].log(), pos(7)),
                c("pow 3", t -> t[0].pow(3), r(2, 5)),
                c("pow -0.5", t -> t[0].pow(-0.5), pos(2, 5)),
                c("sqrt", t -> t[0].sqrt(), pos(6)),
                c("abs", t -> t[0].abs(), r(9)),
                c("clamp", t -> t[0].clamp(-0.3, 0.4), r(11)),
                c("relu", t -> t[0].relu(), r(3, 7)),
                c("sigmoid", t -> t[0].sigmoid(), r(5, 3)),
                c("tanh", t -> t[0].tanh(), r(5, 3)),
                c("affine", t -> t[0].mul(2.5).add(1), r(4)),
                c("sum all", t -> t[0].sum(), r(3, 4)),
                c("sum axes keepdim", t -> t[0].sum(new int[] {0, 2}, true), r(3, 4, 5)),
                c("sum axis -1", t -> t[0].sum(new int[] {-1}, false), r(3, 4, 5)),
                c("mean", t -> t[0].mean(new int[] {1}, false), r(3, 4, 2)),
                c("max axes", t -> t[0].max(new int[] {1, 3}, false), r(2, 3, 4, 5)),
                c("max axis 0 keepdim", t -> t[0].max(new int[] {0}, true), r(4, 3)),
                c("matmul 2d", t -> t[0].matmul(t[1]), r(3, 4), r(4, 5)),
                c("matmul transposed", t -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)), r(4, 3), r(5, 4)),
                c("matmul batched", t -> t[0].matmul(t[1]), r(2, 3, 4), r(2, 4, 2)),
                c("matmul batched x 2d", t -> t[0].matmul(t[1]), r(2, 3, 4), r(4, 2)),
                c("linear", t -> Linear.apply(t[0], t[1], t[2]), r(5, 4), r(3, 4), r(3)),
                c("linear nobias", t -> Linear.apply(t[0], t[1], null), r(5, 4), r(3, 4)),
                c("reshape", t -> t[0].reshape(6, -1).mul(t[1]), r(2, 3, 4), r(6, 4)),
                c("permute", t -> t[0].permute(2, 0, 1).mul(t[1]), r(2, 3, 4), r(4, 2, 3)),
                c("flatten", t -> t[0].flatten(1), r(2, 3, 2, 2)),
                c("concat", t -> Tensor.concat(List.of(t[0], t[1]), 1), r(2, 3, 2), r(2, 1, 2)),
                c("contiguous of transposed", t -> t[0].transpose(0, 1).contiguous().mul(t[1]), r(3, 4), r(4, 3)),
                c("composite", t -> t[0].mul(t[1]).add(t[0].exp()).sum(new int[] {1}, false).tanh(), r(3, 4), r(4)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradcheck(String name, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        GradCheck.Result res = GradCheck.check(name, f, inputs);
        assertTrue(res.passed(), res.failure());
    }
}
