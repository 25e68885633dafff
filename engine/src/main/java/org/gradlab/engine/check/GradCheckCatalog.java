package org.gradlab.engine.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.AdaptiveAvgPool2d;
import org.gradlab.engine.ops.AvgPool2d;
import org.gradlab.engine.ops.BatchNorm2d;
import org.gradlab.engine.ops.Conv2d;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.Dropout;
import org.gradlab.engine.ops.LayerNorm;
import org.gradlab.engine.ops.Linear;
import org.gradlab.engine.ops.LogSoftmax;
import org.gradlab.engine.ops.MaxPool2d;
import org.gradlab.engine.ops.NllLoss;
import org.gradlab.engine.ops.Softmax;

/**
 * One float64 gradcheck case (or more) for every registered op, on random shapes with broadcast
 * and odd sizes. The {@code gradcheck} command and the test suite both run this list.
 */
public final class GradCheckCatalog {
    /** A named case: the op under test, the function, and its float64 inputs. */
    public record Case(String op, String name, Function<Tensor[], Tensor> f, Tensor[] inputs) {}

    private GradCheckCatalog() {}

    public static List<Case> all() {
        Generator g = new Generator(42);
        List<Case> c = new ArrayList<>();
        add(c, "add", "broadcast [2,3,4]+[3,1]", t -> t[0].add(t[1]), r(g, 2, 3, 4), r(g, 3, 1));
        add(c, "sub", "broadcast [4,1,5]-[3,5]", t -> t[0].sub(t[1]), r(g, 4, 1, 5), r(g, 3, 5));
        add(c, "mul", "broadcast [2,3,5,1]*[3,1,4]", t -> t[0].mul(t[1]), r(g, 2, 3, 5, 1), r(g, 3, 1, 4));
        add(c, "div", "[3,4]/[4]", t -> t[0].div(t[1]), r(g, 3, 4), pos(g, 4));
        add(c, "neg", "[5]", t -> t[0].neg(), r(g, 5));
        add(c, "exp", "[3,3]", t -> t[0].exp(), r(g, 3, 3));
        add(c, "log", "[7]", t -> t[0].log(), pos(g, 7));
        add(c, "pow", "x^3 [2,5]", t -> t[0].pow(3), r(g, 2, 5));
        add(c, "pow", "x^-0.5 [2,5]", t -> t[0].pow(-0.5), pos(g, 2, 5));
        add(c, "sqrt", "[6]", t -> t[0].sqrt(), pos(g, 6));
        add(c, "abs", "[9]", t -> t[0].abs(), r(g, 9));
        add(c, "clamp", "[-0.3,0.4] [11]", t -> t[0].clamp(-0.3, 0.4), r(g, 11));
        add(c, "relu", "[3,7]", t -> t[0].relu(), r(g, 3, 7));
        add(c, "sigmoid", "[5,3]", t -> t[0].sigmoid(), r(g, 5, 3));
        add(c, "tanh", "[5,3]", t -> t[0].tanh(), r(g, 5, 3));
        add(c, "affine", "2.5x+1 [4]", t -> t[0].mul(2.5).add(1), r(g, 4));
        add(c, "sum", "all [3,4]", t -> t[0].sum(), r(g, 3, 4));
        add(c, "sum", "axes (0,2) keepdim [3,4,5]", t -> t[0].sum(new int[] {0, 2}, true), r(g, 3, 4, 5));
        add(c, "mean", "axis 1 [3,4,2]", t -> t[0].mean(new int[] {1}, false), r(g, 3, 4, 2));
        add(c, "max", "axes (1,3) [2,3,4,5]", t -> t[0].max(new int[] {1, 3}, false), r(g, 2, 3, 4, 5));
        add(c, "matmul", "[3,4]@[4,5]", t -> t[0].matmul(t[1]), r(g, 3, 4), r(g, 4, 5));
        add(c, "matmul", "transposed views", t -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)), r(g, 4, 3), r(g, 5, 4));
        add(c, "matmul", "batched [2,3,4]@[4,2]", t -> t[0].matmul(t[1]), r(g, 2, 3, 4), r(g, 4, 2));
        add(c, "linear", "[5,4] W[3,4] b[3]", t -> Linear.apply(t[0], t[1], t[2]), r(g, 5, 4), r(g, 3, 4), r(g, 3));
        add(c, "reshape", "[2,3,4]->[6,4]", t -> t[0].reshape(6, -1).mul(t[1]), r(g, 2, 3, 4), r(g, 6, 4));
        add(c, "permute", "(2,0,1)", t -> t[0].permute(2, 0, 1).mul(t[1]), r(g, 2, 3, 4), r(g, 4, 2, 3));
        add(c, "concat", "axis 1", t -> Tensor.concat(List.of(t[0], t[1]), 1), r(g, 2, 3, 2), r(g, 2, 1, 2));
        add(c, "conv2d", "k3 s1 p1 bias [2,3,5,6]", t -> Conv2d.apply(t[0], t[1], t[2], 1, 1, 1), r(g, 2, 3, 5, 6), r(g, 4, 3, 3, 3), r(g, 4));
        add(c, "conv2d", "k3 s2 p1 groups 2 [1,4,7,5]", t -> Conv2d.apply(t[0], t[1], null, 2, 1, 2), r(g, 1, 4, 7, 5), r(g, 6, 2, 3, 3));
        add(c, "conv2d", "depthwise k3 [2,3,5,5]", t -> Conv2d.apply(t[0], t[1], t[2], 1, 1, 3), r(g, 2, 3, 5, 5), r(g, 3, 1, 3, 3), r(g, 3));
        add(c, "max_pool2d", "k3 s2 p1 [2,2,7,6]", t -> MaxPool2d.apply(t[0], 3, 2, 1), r(g, 2, 2, 7, 6));
        add(c, "avg_pool2d", "k3 s2 p1 include pad", t -> AvgPool2d.apply(t[0], 3, 2, 1, true), r(g, 2, 2, 7, 6));
        add(c, "avg_pool2d", "k3 s2 p1 exclude pad", t -> AvgPool2d.apply(t[0], 3, 2, 1, false), r(g, 2, 2, 7, 6));
        add(c, "adaptive_avg_pool2d", "1x1 [2,3,5,4]", t -> AdaptiveAvgPool2d.apply(t[0], 1, 1), r(g, 2, 3, 5, 4));
        add(c, "batch_norm2d", "train [4,3,3,2]", t -> BatchNorm2d.apply(t[0], t[1], t[2], null, null, true, 0.1, 1e-5),
                r(g, 4, 3, 3, 2), pos(g, 3), r(g, 3));
        Tensor rm = r(g, 3);
        Tensor rv = pos(g, 3);
        add(c, "batch_norm2d", "eval [2,3,2,2]", t -> BatchNorm2d.apply(t[0], t[1], t[2], rm, rv, false, 0.1, 1e-5),
                r(g, 2, 3, 2, 2), pos(g, 3), r(g, 3));
        add(c, "dropout", "p 0.3 fixed seed", t -> Dropout.apply(t[0], 0.3, true, new Generator(5)), r(g, 4, 5));
        add(c, "log_softmax", "[4,7]", t -> LogSoftmax.apply(t[0]), r(g, 4, 7));
        int[] target = {0, 6, 3, 3, 1};
        Tensor w = pos(g, 7);
        add(c, "nll", "weighted mean", t -> NllLoss.apply(LogSoftmax.apply(t[0]), target, w, Reduction.MEAN), r(g, 5, 7));
        add(c, "cross_entropy", "weights + smoothing 0.1, mean", t -> CrossEntropy.apply(t[0], target, w, 0.1, Reduction.MEAN), r(g, 5, 7));
        add(c, "cross_entropy", "smoothing 0.2, none", t -> CrossEntropy.apply(t[0], target, null, 0.2, Reduction.NONE), r(g, 5, 7));
        addSecondBatch(c, g);
        return c;
    }

    /** The ops of the ViT/EfficientNet batch (issue 14). */
    private static void addSecondBatch(List<Case> c, Generator g) {
        add(c, "layer_norm", "last dim [2,3,5] eps 1e-5", t -> LayerNorm.apply(t[0], t[1], t[2], 1e-5), r(g, 2, 3, 5), pos(g, 5), r(g, 5));
        add(c, "layer_norm", "last two dims [2,3,4] no affine", t -> LayerNorm.apply(t[0], new int[] {3, 4}, null, null, 1e-6),
                r(g, 2, 3, 4));
        add(c, "softmax", "dim -1 [3,6]", t -> Softmax.apply(t[0], -1), r(g, 3, 6));
        add(c, "softmax", "dim 1 [2,4,3]", t -> Softmax.apply(t[0], 1), r(g, 2, 4, 3));
        add(c, "matmul", "broadcast [2,1,3,4]@[3,4,2]", t -> t[0].matmul(t[1]), r(g, 2, 1, 3, 4), r(g, 3, 4, 2));
        add(c, "matmul", "[2,3,3,4]@[4,5] shared", t -> t[0].matmul(t[1]), r(g, 2, 3, 3, 4), r(g, 4, 5));
        add(c, "linear", "3-D [2,3,4] W[5,4] b[5]", t -> Linear.apply(t[0], t[1], t[2]), r(g, 2, 3, 4), r(g, 5, 4), r(g, 5));
    }

    private static void add(List<Case> c, String op, String name, Function<Tensor[], Tensor> f, Tensor... in) {
        c.add(new Case(op, name, f, in));
    }

    private static Tensor r(Generator g, int... shape) {
        return Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, shape);
    }

    private static Tensor pos(Generator g, int... shape) {
        return Tensor.uniform(g, 0.5, 2, DType.F64, Device.CPU, shape);
    }

    /** Runs every case whose op name is in {@code ops} (all when empty). */
    public static List<GradCheck.Result> run(List<String> ops) {
        List<GradCheck.Result> out = new ArrayList<>();
        for (Case k : all()) {
            if (ops.isEmpty() || ops.contains(k.op())) {
                GradCheck.Result r = GradCheck.check(k.op() + " (" + k.name() + ")", k.f(), k.inputs());
                out.add(r);
            }
        }
        return out;
    }
}
