package org.gradlab.engine.check;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;
import org.gradlab.engine.ops.AdaptiveAvgPool2d;
import org.gradlab.engine.ops.AvgPool2d;
import org.gradlab.engine.ops.BatchNorm2d;
import org.gradlab.engine.ops.Conv2d;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.Dropout;
import org.gradlab.engine.ops.Linear;
import org.gradlab.engine.ops.LogSoftmax;
import org.gradlab.engine.ops.MaxPool2d;
import org.gradlab.engine.ops.NllLoss;

/**
 * The cases of {@link BackendParity}: every case of {@link OpCases} (forward and every input's
 * gradient), then cases for every backend kernel family through the public ops (so the autograd
 * glue is covered too), on shapes that hit the edge rules:
 * broadcasting, strided/transposed views, exact ties for max and max pooling, padding, groups and
 * depthwise convolution, batch norm with and without affine parameters, class weights, label
 * smoothing and every reduction, fused optimizer steps.
 */
public final class ParityCases {
    /** One named case. */
    public record Case(String name, Consumer<ParityEnv> body) {}

    private ParityCases() {}

    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        for (OpCases.Case k : OpCases.all()) {
            c.add(new Case(k.label(), e -> opCase(e, k)));
        }
        c.add(new Case("unary_strided_view", e -> {
            Tensor x = e.leaf(-2, 2, 4, 5);
            Tensor y = x.transpose(0, 1).tanh();
            e.out("tanh_of_transposed", y);
            e.backward(y);
            e.out("grad_x", x.grad());
        }));
        c.add(new Case("binary_broadcast", ParityCases::binary));
        c.add(new Case("binary_strided", e -> {
            Tensor a = e.leaf(-1, 1, 4, 5);
            Tensor b = e.leaf(-1, 1, 5, 1);
            Tensor y = a.transpose(0, 1).mul(b).add(a.transpose(0, 1));
            e.out("out", y);
            e.backward(y);
            e.out("grad_a", a.grad());
            e.out("grad_b", b.grad());
        }));
        c.add(new Case("layout_permute_concat", e -> {
            Tensor x = e.leaf(-1, 1, 2, 3, 4, 5);
            Tensor y = x.permute(0, 2, 3, 1).contiguous();
            Tensor z = Tensor.concat(List.of(y, y.mul(2.0)), 2).reshape(2, 4, -1);
            e.out("out", z);
            e.backward(z);
            e.out("grad_x", x.grad());
        }));
        c.add(new Case("reduce_sum_mean", e -> {
            Tensor x = e.leaf(-1, 1, 3, 4, 5, 6);
            Tensor a = x.sum();
            Tensor b = x.sum(new int[] {1, 3}, true);
            Tensor m = x.mean(new int[] {0, 2}, false);
            e.out("sum_all", a);
            e.out("sum_13_keep", b);
            e.out("mean_02", m);
            e.backward(b);
            e.backward(m);
            e.backward(a);
            e.out("grad_x", x.grad());
        }));
        c.add(new Case("reduce_max_ties", e -> {
            Tensor x = e.ties(0, 3, 4, 5, 6);
            Tensor a = x.max(new int[] {1}, false);
            Tensor b = x.max(new int[] {0, 2}, true);
            e.out("max_1", a);
            e.out("max_02", b);
            e.backward(a);
            e.backward(b);
            e.out("grad_x", x.grad());
        }));
        c.add(new Case("matmul", ParityCases::matmul));
        c.add(new Case("linear", e -> {
            Tensor x = e.leaf(-1, 1, 8, 12);
            Tensor w = e.leaf(-1, 1, 6, 12);
            Tensor b = e.leaf(-1, 1, 6);
            Tensor y = Linear.apply(x, w, b);
            Tensor z = Linear.apply(y, e.leaf(-1, 1, 3, 6), null);
            e.out("out", z);
            e.backward(z);
            e.out("grad_x", x.grad());
            e.out("grad_w", w.grad());
            e.out("grad_b", b.grad());
        }));
        c.add(new Case("conv2d_k3s1p1_bias", e -> conv(e, new int[] {2, 3, 9, 8}, new int[] {4, 3, 3, 3}, true, new Conv2dParams(1, 1, 1))));
        c.add(new Case("conv2d_k3s2p1", e -> conv(e, new int[] {2, 3, 9, 9}, new int[] {5, 3, 3, 3}, false, new Conv2dParams(2, 1, 1))));
        c.add(new Case("conv2d_k7s2p3_bias", e -> conv(e, new int[] {2, 3, 16, 15}, new int[] {4, 3, 7, 7}, true, new Conv2dParams(2, 3, 1))));
        c.add(new Case("conv2d_k1s2", e -> conv(e, new int[] {2, 6, 7, 7}, new int[] {4, 6, 1, 1}, true, new Conv2dParams(2, 0, 1))));
        c.add(new Case("conv2d_groups2", e -> conv(e, new int[] {2, 4, 6, 6}, new int[] {6, 2, 3, 3}, true, new Conv2dParams(1, 1, 2))));
        c.add(new Case("conv2d_depthwise", e -> conv(e, new int[] {2, 4, 8, 7}, new int[] {4, 1, 3, 3}, true, new Conv2dParams(1, 1, 4))));
        c.add(new Case("conv2d_depthwise_s2_rect", e -> conv(e, new int[] {2, 5, 9, 9}, new int[] {5, 1, 3, 3}, false,
                new Conv2dParams(2, 1, 1, 0, 5))));
        c.add(new Case("maxpool_ties", ParityCases::maxPool));
        c.add(new Case("avgpool", ParityCases::avgPool));
        c.add(new Case("batchnorm_train", e -> batchNorm(e, true, true, 1e-5, 4, 3, 5, 5)));
        c.add(new Case("batchnorm_train_noaffine", e -> batchNorm(e, true, false, 1e-5, 4, 3, 5, 5)));
        c.add(new Case("batchnorm_train_small_eps", e -> batchNorm(e, true, true, 1e-6, 8, 5, 1, 2)));
        c.add(new Case("batchnorm_eval", e -> batchNorm(e, false, true, 1e-5, 4, 3, 5, 5)));
        c.add(new Case("log_softmax", e -> {
            Tensor x = e.leaf(-4, 4, 6, 11);
            Tensor y = LogSoftmax.apply(x);
            e.out("out", y);
            e.backward(y);
            e.out("grad_x", x.grad());
        }));
        c.add(new Case("losses", ParityCases::losses));
        c.add(new Case("dropout", e -> {
            Tensor x = e.leaf(-1, 1, 4, 50);
            Tensor y = Dropout.apply(x, 0.3, true, new Generator(5));
            e.out("out", y);
            e.backward(y);
            e.out("grad_x", x.grad());
        }));
        c.add(new Case("optim_fused", ParityCases::optim));
        c.add(new Case("in_place_and_cast", ParityCases::inPlace));
        return c;
    }

    /** An {@link OpCases} case: its inputs drawn in order (fixed ones without gradient), out, every gradient. */
    private static void opCase(ParityEnv e, OpCases.Case k) {
        Tensor[] in = new Tensor[k.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            OpCases.Input s = k.inputs().get(i);
            in[i] = s.fixed() ? e.data(s.lo(), s.hi(), s.shape()) : e.leaf(s.lo(), s.hi(), s.shape());
        }
        Tensor y = k.f().apply(in);
        e.out("out", y);
        e.backward(y);
        for (int i = 0; i < in.length; i++) {
            if (!k.inputs().get(i).fixed()) {
                e.out("grad_" + i, in[i].grad());
            }
        }
    }

    private static void binary(ParityEnv e) {
        Tensor a = e.leaf(-1, 1, 2, 3, 4, 5);
        Tensor b = e.leaf(0.5, 2, 3, 1, 1);
        Tensor c = e.leaf(-1, 1, 5);
        Tensor y = a.add(b).sub(c).mul(b).div(b.add(1.0)).add(a.mul(c));
        e.out("out", y);
        e.backward(y);
        e.out("grad_a", a.grad());
        e.out("grad_b", b.grad());
        e.out("grad_c", c.grad());
    }

    private static void matmul(ParityEnv e) {
        Tensor a = e.leaf(-1, 1, 7, 9);
        Tensor b = e.leaf(-1, 1, 9, 5);
        Tensor bt = e.leaf(-1, 1, 5, 9);
        Tensor a3 = e.leaf(-1, 1, 3, 7, 9);
        Tensor b3 = e.leaf(-1, 1, 3, 9, 5);
        Tensor[] outs = {a.matmul(b), a.matmul(bt.transpose(0, 1)), a3.matmul(b3), a3.matmul(b), a.matmul(b3),
                a3.transpose(1, 2).contiguous().transpose(1, 2).matmul(b3)};
        for (int i = 0; i < outs.length; i++) {
            e.out("out" + i, outs[i]);
            e.backward(outs[i]);
        }
        e.out("grad_a", a.grad());
        e.out("grad_b", b.grad());
        e.out("grad_bt", bt.grad());
        e.out("grad_a3", a3.grad());
        e.out("grad_b3", b3.grad());
    }

    private static void conv(ParityEnv e, int[] xs, int[] ws, boolean bias, Conv2dParams p) {
        Tensor x = e.leaf(-1, 1, xs);
        Tensor w = e.leaf(-0.5, 0.5, ws);
        Tensor b = bias ? e.leaf(-1, 1, ws[0]) : null;
        Tensor y = Conv2d.apply(x, w, b, p);
        e.out("out", y);
        e.backward(y);
        e.out("grad_x", x.grad());
        e.out("grad_w", w.grad());
        if (b != null) {
            e.out("grad_b", b.grad());
        }
    }

    private static void maxPool(ParityEnv e) {
        int[][] cfg = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}};
        for (int[] k : cfg) {
            Tensor x = e.ties(0, 4, 2, 3, 9, 9);
            Tensor y = MaxPool2d.apply(x, k[0], k[1], k[2]);
            String n = "k" + k[0] + "s" + k[1] + "p" + k[2];
            e.out(n, y);
            e.out(n + ".indices", MaxPool2d.indices(x.detach(), k[0], k[1], k[2]));
            e.backward(y);
            e.out(n + ".grad", x.grad());
        }
    }

    private static void avgPool(ParityEnv e) {
        Pool2dParams[] ps = {new Pool2dParams(3, 2, 1), new Pool2dParams(2, 2, 0), new Pool2dParams(3, 2, 2, 1, 1, 0)};
        for (Pool2dParams p : ps) {
            for (boolean inc : new boolean[] {true, false}) {
                Tensor x = e.leaf(-1, 1, 2, 3, 9, 8);
                Tensor y = AvgPool2d.apply(x, p, inc);
                String n = p + (inc ? ".incpad" : ".excpad");
                e.out(n, y);
                e.backward(y);
                e.out(n + ".grad", x.grad());
            }
        }
        int[][] outs = {{1, 1}, {3, 2}, {4, 5}, {7, 6}};
        for (int[] o : outs) {
            Tensor x = e.leaf(-1, 1, 2, 3, 7, 6);
            Tensor y = AdaptiveAvgPool2d.apply(x, o[0], o[1]);
            e.out("adaptive" + o[0] + "x" + o[1], y);
            e.backward(y);
            e.out("adaptive" + o[0] + "x" + o[1] + ".grad", x.grad());
        }
    }

    private static void batchNorm(ParityEnv e, boolean training, boolean affine, double eps, int... xs) {
        int c = xs[1];
        Tensor x = e.leaf(-2, 3, xs);
        Tensor w = affine ? e.leaf(0.5, 1.5, c) : null;
        Tensor b = affine ? e.leaf(-0.5, 0.5, c) : null;
        Tensor rm = e.data(-0.2, 0.2, c);
        Tensor rv = e.data(0.5, 1.5, c);
        for (int step = 0; step < 2; step++) {
            Tensor y = BatchNorm2d.apply(x, w, b, rm, rv, training, 0.1, eps);
            e.out("out" + step, y);
            e.backward(y);
        }
        e.out("grad_x", x.grad());
        if (affine) {
            e.out("grad_w", w.grad());
            e.out("grad_b", b.grad());
        }
        e.out("running_mean", rm);
        e.out("running_var", rv);
    }

    private static void losses(ParityEnv e) {
        int n = 9;
        int cls = 7;
        int[] y = e.classes(n, cls);
        Tensor weight = e.data(0.2, 2, cls);
        for (Reduction r : Reduction.values()) {
            for (double ls : new double[] {0.0, 0.1}) {
                for (boolean weighted : new boolean[] {false, true}) {
                    Tensor x = e.leaf(-3, 3, n, cls);
                    Tensor l = CrossEntropy.apply(x, y, weighted ? weight : null, ls, r);
                    String name = "ce." + r + ".ls" + ls + (weighted ? ".w" : "");
                    e.out(name, l);
                    e.backward(l);
                    e.out(name + ".grad", x.grad());
                }
            }
            Tensor lp = LogSoftmax.apply(e.data(-3, 3, n, cls)).detach().requiresGrad(true);
            Tensor l = NllLoss.apply(lp, y, weight, r);
            e.out("nll." + r, l);
            e.backward(l);
            e.out("nll." + r + ".grad", lp.grad());
        }
    }

    private static void optim(ParityEnv e) {
        for (boolean decoupled : new boolean[] {false, true}) {
            Tensor p = e.data(-1, 1, 6, 7);
            Tensor m = e.data(0, 0, 6, 7);
            Tensor v = e.data(0, 0, 6, 7);
            for (int step = 1; step <= 3; step++) {
                Tensor g = e.data(-1, 1, 6, 7);
                p.backend().optim().adamStep(p, g, m, v, 1e-2, 0.9, 0.999, 1e-8, 0.05, step, decoupled);
            }
            e.out((decoupled ? "adamw" : "adam") + ".p", p);
            e.out((decoupled ? "adamw" : "adam") + ".m", m);
            e.out((decoupled ? "adamw" : "adam") + ".v", v);
        }
        for (boolean nesterov : new boolean[] {false, true}) {
            Tensor p = e.data(-1, 1, 13);
            Tensor buf = e.data(0, 0, 13);
            for (int step = 1; step <= 3; step++) {
                Tensor g = e.data(-1, 1, 13);
                p.backend().optim().sgdStep(p, g, buf, 0.1, 0.9, 0.0, nesterov, 0.01, step == 1);
            }
            e.out("sgd" + (nesterov ? ".nesterov" : "") + ".p", p);
            e.out("sgd" + (nesterov ? ".nesterov" : "") + ".buf", buf);
        }
        Tensor p = e.data(-1, 1, 5);
        p.backend().optim().sgdStep(p, e.data(-1, 1, 5), null, 0.1, 0, 0, false, 0, true);
        e.out("sgd.plain.p", p);
    }

    private static void inPlace(ParityEnv e) {
        var k = e.data(0, 1, 1).backend().elementwise();
        Tensor a = e.data(-1, 1, 4, 6);
        k.fill(a.transpose(0, 1).slice0(1, 3), 2.5); // a strided view of columns 1..2
        e.out("fill_strided", a);
        Tensor b = e.data(-1, 1, 4, 6);
        k.copyInto(b.transpose(0, 1), e.data(-1, 1, 4)); // broadcast a row into a transposed view
        e.out("copy_broadcast_into_view", b);
        Tensor c = e.data(-1, 1, 3, 5);
        k.axpy(c, e.data(-1, 1, 5, 3).transpose(0, 1), -0.75);
        e.out("axpy", c);
        k.scale(c, 1.5);
        e.out("scale", c);
        DType other = e.dtype() == DType.F32 ? DType.F64 : DType.F32;
        Tensor d = e.leaf(-1, 1, 3, 4);
        Tensor cast = d.to(other).mul(3.0).to(e.dtype());
        e.out("cast_roundtrip", cast);
        e.backward(cast);
        e.out("cast_grad", d.grad());
        e.out("item", Tensor.scalar(e.data(-1, 1, 2, 2).sum().item(), DType.F64, org.gradlab.engine.Device.CPU));
    }
}
