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
import org.gradlab.engine.ops.BatchNormRelu;
import org.gradlab.engine.ops.BatchNormSilu;
import org.gradlab.engine.ops.ChannelGate;
import org.gradlab.engine.ops.Conv2d;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.DropPath;
import org.gradlab.engine.ops.Dropout;
import org.gradlab.engine.ops.Gelu;
import org.gradlab.engine.ops.LayerNorm;
import org.gradlab.engine.ops.Linear;
import org.gradlab.engine.ops.LogSoftmax;
import org.gradlab.engine.ops.MaxPool2d;
import org.gradlab.engine.ops.MultiHeadAttention;
import org.gradlab.engine.ops.Narrow;
import org.gradlab.engine.ops.NllLoss;
import org.gradlab.engine.ops.PackedAttention;
import org.gradlab.engine.ops.ScaledDotProductAttention;
import org.gradlab.engine.ops.Silu;
import org.gradlab.engine.ops.SoftTargetCrossEntropy;
import org.gradlab.engine.ops.SqueezeExcitation;
import org.gradlab.engine.ops.Softmax;

/**
 * The ONE registry of op cases: every op registers its cases here, once. {@code ./gradlab
 * gradcheck} and its test run each case as a float64 central-difference gradcheck
 * ({@link #gradcheck}); {@link ParityCases} runs each on every backend and compares forward and
 * backward with the CPU. Shapes are small, with broadcasting and odd sizes.
 */
public final class OpCases {
    /**
     * One input: uniform in [lo, hi) of {@code shape}. A {@code fixed} input (running statistics,
     * class weights) is data the op reads but is not differentiated against.
     */
    public record Input(double lo, double hi, boolean fixed, int... shape) {}

    /** A named case of op {@code op}: the function of its inputs, drawn in order. */
    public record Case(String op, String name, Function<Tensor[], Tensor> f, List<Input> inputs) {
        /** "op (name)", how reports name the case. */
        public String label() {
            return op + " (" + name + ")";
        }
    }

    private OpCases() {}

    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        add(c, "add", "broadcast [2,3,4]+[3,1]", t -> t[0].add(t[1]), r(2, 3, 4), r(3, 1));
        add(c, "sub", "broadcast [4,1,5]-[3,5]", t -> t[0].sub(t[1]), r(4, 1, 5), r(3, 5));
        add(c, "mul", "broadcast [2,3,5,1]*[3,1,4]", t -> t[0].mul(t[1]), r(2, 3, 5, 1), r(3, 1, 4));
        add(c, "div", "[3,4]/[4]", t -> t[0].div(t[1]), r(3, 4), pos(4));
        add(c, "neg", "[5]", t -> t[0].neg(), r(5));
        add(c, "exp", "[3,3]", t -> t[0].exp(), u(-3, 3, 3, 3));
        add(c, "log", "[7]", t -> t[0].log(), pos(7));
        add(c, "pow", "x^3 [2,5]", t -> t[0].pow(3), r(2, 5));
        add(c, "pow", "x^-0.5 [2,5]", t -> t[0].pow(-0.5), pos(2, 5));
        add(c, "pow", "x^0.5 [2,5]", t -> t[0].pow(0.5), pos(2, 5));
        add(c, "sqrt", "[6]", t -> t[0].sqrt(), pos(6));
        add(c, "abs", "[9]", t -> t[0].abs(), r(9));
        add(c, "clamp", "[-0.3,0.4] [11]", t -> t[0].clamp(-0.3, 0.4), r(11));
        add(c, "relu", "[3,7]", t -> t[0].relu(), r(3, 7));
        add(c, "sigmoid", "[5,3]", t -> t[0].sigmoid(), u(-4, 4, 5, 3));
        add(c, "tanh", "[5,3]", t -> t[0].tanh(), u(-3, 3, 5, 3));
        add(c, "silu", "[4,6]", t -> Silu.apply(t[0]), u(-5, 5, 4, 6));
        add(c, "gelu", "exact [4,6]", t -> Gelu.apply(t[0]), u(-5, 5, 4, 6));
        add(c, "gelu_tanh", "approximate='tanh' [4,6]", t -> Gelu.apply(t[0], Gelu.Approximation.TANH), u(-5, 5, 4, 6));
        add(c, "affine", "2.5x+1 [4]", t -> t[0].mul(2.5).add(1), r(4));
        add(c, "sum", "all [3,4]", t -> t[0].sum(), r(3, 4));
        add(c, "sum", "axes (0,2) keepdim [3,4,5]", t -> t[0].sum(new int[] {0, 2}, true), r(3, 4, 5));
        add(c, "sum", "axis -1 [3,4,5]", t -> t[0].sum(new int[] {-1}, false), r(3, 4, 5));
        add(c, "mean", "axis 1 [3,4,2]", t -> t[0].mean(new int[] {1}, false), r(3, 4, 2));
        add(c, "max", "axes (1,3) [2,3,4,5]", t -> t[0].max(new int[] {1, 3}, false), r(2, 3, 4, 5));
        add(c, "max", "axis 0 keepdim [4,3]", t -> t[0].max(new int[] {0}, true), r(4, 3));
        add(c, "matmul", "[3,4]@[4,5]", t -> t[0].matmul(t[1]), r(3, 4), r(4, 5));
        add(c, "matmul", "transposed views", t -> t[0].transpose(0, 1).matmul(t[1].transpose(0, 1)), r(4, 3), r(5, 4));
        add(c, "matmul", "batched [2,3,4]@[2,4,2]", t -> t[0].matmul(t[1]), r(2, 3, 4), r(2, 4, 2));
        add(c, "matmul", "batched [2,3,4]@[4,2]", t -> t[0].matmul(t[1]), r(2, 3, 4), r(4, 2));
        add(c, "linear", "[5,4] W[3,4] b[3]", t -> Linear.apply(t[0], t[1], t[2]), r(5, 4), r(3, 4), r(3));
        add(c, "linear", "no bias", t -> Linear.apply(t[0], t[1], null), r(5, 4), r(3, 4));
        add(c, "reshape", "[2,3,4]->[6,4]", t -> t[0].reshape(6, -1).mul(t[1]), r(2, 3, 4), r(6, 4));
        add(c, "reshape", "flatten(1) [2,3,2,2]", t -> t[0].flatten(1), r(2, 3, 2, 2));
        add(c, "permute", "(2,0,1)", t -> t[0].permute(2, 0, 1).mul(t[1]), r(2, 3, 4), r(4, 2, 3));
        add(c, "contiguous", "of a transposed view", t -> t[0].transpose(0, 1).contiguous().mul(t[1]), r(3, 4), r(4, 3));
        add(c, "concat", "axis 1", t -> Tensor.concat(List.of(t[0], t[1]), 1), r(2, 3, 2), r(2, 1, 2));
        add(c, "conv2d", "k3 s1 p1 bias [2,3,5,6]", t -> Conv2d.apply(t[0], t[1], t[2], 1, 1, 1), r(2, 3, 5, 6), r(4, 3, 3, 3), r(4));
        add(c, "conv2d", "k3 s2 p1 groups 2 [1,4,7,5]", t -> Conv2d.apply(t[0], t[1], null, 2, 1, 2), r(1, 4, 7, 5), r(6, 2, 3, 3));
        add(c, "conv2d", "depthwise k3 [2,3,5,5]", t -> Conv2d.apply(t[0], t[1], t[2], 1, 1, 3), r(2, 3, 5, 5), r(3, 1, 3, 3), r(3));
        add(c, "max_pool2d", "k3 s2 p1 [2,2,7,6]", t -> MaxPool2d.apply(t[0], 3, 2, 1), r(2, 2, 7, 6));
        add(c, "avg_pool2d", "k3 s2 p1 include pad", t -> AvgPool2d.apply(t[0], 3, 2, 1, true), r(2, 2, 7, 6));
        add(c, "avg_pool2d", "k3 s2 p1 exclude pad", t -> AvgPool2d.apply(t[0], 3, 2, 1, false), r(2, 2, 7, 6));
        add(c, "adaptive_avg_pool2d", "1x1 [2,3,5,4]", t -> AdaptiveAvgPool2d.apply(t[0], 1, 1), r(2, 3, 5, 4));
        add(c, "batch_norm2d", "train [4,3,3,2]", t -> BatchNorm2d.apply(t[0], t[1], t[2], null, null, true, 0.1, 1e-5),
                r(4, 3, 3, 2), pos(3), r(3));
        add(c, "batch_norm2d", "eval [2,3,2,2]", t -> BatchNorm2d.apply(t[0], t[1], t[2], t[3], t[4], false, 0.1, 1e-5),
                r(2, 3, 2, 2), pos(3), r(3), fixed(r(3)), fixed(pos(3)));
        add(c, "batch_norm_silu", "train [4,3,3,2]", t -> BatchNormSilu.apply(t[0], t[1], t[2], null, null, true, 0.1, 1e-5),
                r(4, 3, 3, 2), pos(3), r(3));
        add(c, "batch_norm_silu", "eval [2,3,2,2]", t -> BatchNormSilu.apply(t[0], t[1], t[2], t[3], t[4], false, 0.1, 1e-5),
                r(2, 3, 2, 2), pos(3), r(3), fixed(r(3)), fixed(pos(3)));
        add(c, "batch_norm_relu", "train [4,3,3,2]", t -> BatchNormRelu.apply(t[0], t[1], t[2], null, null, true, 0.1, 1e-5),
                r(4, 3, 3, 2), pos(3), r(3));
        add(c, "batch_norm_relu", "eval [2,3,2,2]", t -> BatchNormRelu.apply(t[0], t[1], t[2], t[3], t[4], false, 0.1, 1e-5),
                r(2, 3, 2, 2), pos(3), r(3), fixed(r(3)), fixed(pos(3)));
        add(c, "channel_gate", "[2,3,4,5] * sigmoid([2,3,1,1])", t -> ChannelGate.apply(t[0], t[1]), r(2, 3, 4, 5),
                r(2, 3, 1, 1));
        add(c, "squeeze_excitation", "[2,4,3,5], squeeze 2", t -> SqueezeExcitation.apply(t[0], t[1], t[2], t[3], t[4]),
                r(2, 4, 3, 5), r(2, 4, 1, 1), r(2), r(4, 2, 1, 1), r(4));
        add(c, "dropout", "p 0.3 fixed seed", t -> Dropout.apply(t[0], 0.3, true, new Generator(5)), r(4, 5));
        add(c, "log_softmax", "[4,7]", t -> LogSoftmax.apply(t[0]), u(-4, 4, 4, 7));
        int[] target = {0, 6, 3, 3, 1};
        add(c, "nll", "weighted mean", t -> NllLoss.apply(LogSoftmax.apply(t[0]), target, t[1], Reduction.MEAN), r(5, 7),
                fixed(pos(7)));
        add(c, "cross_entropy", "weights + smoothing 0.1, mean", t -> CrossEntropy.apply(t[0], target, t[1], 0.1, Reduction.MEAN),
                r(5, 7), fixed(pos(7)));
        add(c, "cross_entropy", "smoothing 0.2, none", t -> CrossEntropy.apply(t[0], target, null, 0.2, Reduction.NONE), r(5, 7));
        add(c, "composite", "tanh(sum(a*b + exp(a)))", t -> t[0].mul(t[1]).add(t[0].exp()).sum(new int[] {1}, false).tanh(),
                r(3, 4), r(4));
        addTransformerOps(c);
        return c;
    }

    /** The ops ViT and EfficientNet add (issue 14). */
    private static void addTransformerOps(List<Case> c) {
        add(c, "layer_norm", "last dim [2,3,5] eps 1e-5", t -> LayerNorm.apply(t[0], t[1], t[2], 1e-5), r(2, 3, 5), pos(5), r(5));
        add(c, "layer_norm", "2 last dims, transposed, no affine", t -> LayerNorm.apply(t[0].transpose(0, 1),
                new int[] {2, 4}, null, null, 1e-6), u(-2, 3, 2, 3, 4));
        add(c, "softmax", "dim -1 [3,6]", t -> Softmax.apply(t[0], -1), u(-4, 4, 3, 6));
        add(c, "softmax", "dim 1 [2,4,3]", t -> Softmax.apply(t[0], 1), u(-4, 4, 2, 4, 3));
        add(c, "softmax", "dim 0 of a transposed view", t -> Softmax.apply(t[0].transpose(0, 1), 0), u(-4, 4, 3, 5));
        add(c, "matmul", "broadcast [2,1,3,4]@[3,4,2]", t -> t[0].matmul(t[1]), r(2, 1, 3, 4), r(3, 4, 2));
        add(c, "matmul", "[2,3,3,4]@[4,5] shared", t -> t[0].matmul(t[1]), r(2, 3, 3, 4), r(4, 5));
        add(c, "linear", "3-D [2,3,4] W[5,4] b[5]", t -> Linear.apply(t[0], t[1], t[2]), r(2, 3, 4), r(5, 4), r(5));
        add(c, "narrow", "axis 1 [1,3) of [2,4,3]", t -> Narrow.apply(t[0], 1, 1, 2), r(2, 4, 3));
        add(c, "scaled_dot_product_attention", "q[2,2,3,4] kv[2,2,5,4]", t -> ScaledDotProductAttention.apply(t[0], t[1], t[2]),
                r(2, 2, 3, 4), r(2, 2, 5, 4), r(2, 2, 5, 4));
        add(c, "packed_attention", "2 heads, qkv[2,3,12]", t -> PackedAttention.apply(t[0], 2).out(), r(2, 3, 12));
        add(c, "packed_attention", "3 heads of 3, qkv a transposed view, out read transposed",
                t -> PackedAttention.apply(t[0].transpose(0, 1), 3).out().transpose(1, 2), r(4, 2, 27));
        add(c, "multi_head_attention", "self, 2 heads, x[2,3,4]",
                t -> MultiHeadAttention.selfAttention(t[0], 2, t[1], t[2], t[3], t[4]).out(), r(2, 3, 4), r(12, 4), r(12), r(4, 4), r(4));
        add(c, "multi_head_attention", "self, 2 heads, x[2,3,4], the weights' gradient",
                t -> MultiHeadAttention.selfAttentionWithWeightGradients(t[0], 2, t[1], t[2], t[3], t[4]).weights(), r(2, 3, 4),
                r(12, 4), r(12), fixed(r(4, 4)), fixed(r(4))); // out_proj does not feed the weights: no gradient to check
        // the target rows are normalised inside the function, so they are probabilities
        add(c, "soft_target_cross_entropy", "smoothing 0.1, mean", t -> SoftTargetCrossEntropy.apply(t[0],
                t[1].div(t[1].sum(new int[] {1}, true)), 0.1, Reduction.MEAN), u(-3, 3, 5, 7), fixed(pos(5, 7)));
        add(c, "soft_target_cross_entropy", "none", t -> SoftTargetCrossEntropy.apply(t[0], t[1].div(t[1].sum(new int[] {1}, true)),
                0, Reduction.NONE), u(-3, 3, 5, 7), fixed(pos(5, 7)));
        add(c, "drop_path", "p 0.4 fixed seed [6,2,3]", t -> DropPath.apply(t[0], 0.4, true, new Generator(11)), r(6, 2, 3));
    }

    private static void add(List<Case> c, String op, String name, Function<Tensor[], Tensor> f, Input... in) {
        c.add(new Case(op, name, f, List.of(in)));
    }

    /** Uniform in [-1, 1). */
    private static Input r(int... shape) {
        return u(-1, 1, shape);
    }

    /** Uniform in [0.5, 2): for log, sqrt, negative powers, divisors, scales. */
    private static Input pos(int... shape) {
        return u(0.5, 2, shape);
    }

    private static Input u(double lo, double hi, int... shape) {
        return new Input(lo, hi, false, shape);
    }

    private static Input fixed(Input in) {
        return new Input(in.lo(), in.hi(), true, in.shape());
    }

    /** Draws a case's inputs in order from {@code g} (float64, CPU). */
    static Tensor[] draw(Case k, Generator g) {
        return k.inputs().stream().map(in -> Tensor.uniform(g, in.lo(), in.hi(), DType.F64, Device.CPU, in.shape()))
                .toArray(Tensor[]::new);
    }

    /** Gradchecks every case whose op name is in {@code ops} (all when empty), against the inputs that are not fixed. */
    public static List<GradCheck.Result> gradcheck(List<String> ops) {
        Generator g = new Generator(42);
        List<GradCheck.Result> out = new ArrayList<>();
        for (Case k : all()) {
            Tensor[] drawn = draw(k, g);
            if (!ops.isEmpty() && !ops.contains(k.op())) {
                continue;
            }
            List<Integer> varied = new ArrayList<>();
            for (int i = 0; i < drawn.length; i++) {
                if (!k.inputs().get(i).fixed()) {
                    varied.add(i);
                }
            }
            Function<Tensor[], Tensor> f = t -> {
                Tensor[] all = drawn.clone();
                for (int j = 0; j < t.length; j++) {
                    all[varied.get(j)] = t[j];
                }
                return k.f().apply(all);
            };
            out.add(GradCheck.check(k.label(), f, varied.stream().map(i -> drawn[i]).toArray(Tensor[]::new)));
        }
        return out;
    }
}
