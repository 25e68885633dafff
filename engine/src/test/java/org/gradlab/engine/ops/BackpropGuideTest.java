package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The steps of docs/backprop-through-layernorm-and-attention.md, one test per step: each step's
 * formula is written out with plain tensor ops (no autograd) and compared with what autograd
 * computes through the engine's ops, in float64.
 */
class BackpropGuideTest {
    private static final double TOL = 1e-12;

    private static Tensor rand(long seed, double lo, double hi, int... shape) {
        return Tensor.uniform(new Generator(seed), lo, hi, DType.F64, Device.CPU, shape);
    }

    private static void close(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), TOL);
    }

    /** Step 1: mean, biased variance, s = 1/sqrt(var + eps), xhat = (x − mean)·s, y = xhat·w + b. */
    @Test
    void layerNormStep1Forward() {
        Tensor x = rand(1, -2, 3, 4, 6);
        Tensor w = rand(2, 0.5, 1.5, 6);
        Tensor b = rand(3, -1, 1, 6);
        Tensor mean = x.mean(new int[] {1}, true);
        Tensor var = x.sub(mean).pow(2).mean(new int[] {1}, true);
        Tensor xhat = x.sub(mean).mul(var.add(1e-5).pow(-0.5));
        close(xhat.mul(w).add(b), LayerNorm.apply(x, w, b, 1e-5));
    }

    /** Step 2: db = Σ_rows g and dw = Σ_rows g·xhat (w and b act on every row alike). */
    @Test
    void layerNormStep2WeightAndBias() {
        Tensor x = rand(1, -2, 3, 4, 6);
        Tensor w = rand(2, 0.5, 1.5, 6).requiresGrad(true);
        Tensor b = rand(3, -1, 1, 6).requiresGrad(true);
        Tensor g = rand(4, -1, 1, 4, 6);
        LayerNorm.apply(x, w, b, 1e-5).backward(g);
        Tensor mean = x.mean(new int[] {1}, true);
        Tensor xhat = x.sub(mean).mul(x.sub(mean).pow(2).mean(new int[] {1}, true).add(1e-5).pow(-0.5));
        close(g.sum(new int[] {0}, false), b.grad());
        close(g.mul(xhat).sum(new int[] {0}, false), w.grad());
    }

    /**
     * Step 3: with gh = g·w, x reaches the loss through xhat directly (s·gh), through the mean
     * (−s·mean(gh)) and through the variance (−s·xhat·mean(gh·xhat)); dx is their sum.
     */
    @Test
    void layerNormStep3Input() {
        Tensor x = rand(1, -2, 3, 4, 6).requiresGrad(true);
        Tensor w = rand(2, 0.5, 1.5, 6);
        Tensor g = rand(4, -1, 1, 4, 6);
        LayerNorm.apply(x, w, null, 1e-5).backward(g);
        Tensor xd = x.detach();
        Tensor mean = xd.mean(new int[] {1}, true);
        Tensor s = xd.sub(mean).pow(2).mean(new int[] {1}, true).add(1e-5).pow(-0.5);
        Tensor xhat = xd.sub(mean).mul(s);
        Tensor gh = g.mul(w);
        Tensor direct = gh.mul(s);
        Tensor viaMean = gh.mean(new int[] {1}, true).mul(s).neg();
        Tensor viaVar = xhat.mul(gh.mul(xhat).mean(new int[] {1}, true)).mul(s).neg();
        close(direct.add(viaMean).add(viaVar), x.grad());
        // the gradient of each row sums to 0: shifting a whole row does not change its LayerNorm
        for (double rowSum : x.grad().sum(new int[] {1}, false).toDoubleArray()) {
            assertEquals(0, rowSum, TOL);
        }
    }

    /** Step 4: softmax's Jacobian is diag(y) − y yᵀ, so dx = y·(g − Σ g·y). */
    @Test
    void softmaxStep4() {
        Tensor x = rand(5, -3, 3, 1, 5).requiresGrad(true);
        Tensor y = Softmax.apply(x, -1);
        double[] yv = y.toDoubleArray();
        // the Jacobian by central differences, column j = dy/dx_j
        double h = 1e-6;
        double[] xv = x.toDoubleArray();
        for (int j = 0; j < 5; j++) {
            double[] up = xv.clone();
            double[] dn = xv.clone();
            up[j] += h;
            dn[j] -= h;
            double[] yu = Softmax.apply(Tensor.of(up, 1, 5), -1).toDoubleArray();
            double[] yd = Softmax.apply(Tensor.of(dn, 1, 5), -1).toDoubleArray();
            for (int i = 0; i < 5; i++) {
                double jac = (i == j ? yv[i] : 0) - yv[i] * yv[j];
                assertEquals(jac, (yu[i] - yd[i]) / (2 * h), 1e-9, "J[" + i + "][" + j + "]");
            }
        }
        Tensor g = rand(6, -1, 1, 1, 5);
        y.backward(g);
        close(y.detach().mul(g.sub(g.mul(y.detach()).sum(new int[] {1}, true))), x.grad());
    }

    /**
     * Step 5: attention out = p v with p = softmax(s), s = q kᵀ/√d. dv = pᵀ g, dp = g vᵀ,
     * ds = p·(dp − Σ dp·p), dq = ds k/√d, dk = dsᵀ q/√d.
     */
    @Test
    void attentionStep5() {
        Tensor q = rand(7, -1, 1, 2, 3, 4).requiresGrad(true);
        Tensor k = rand(8, -1, 1, 2, 5, 4).requiresGrad(true);
        Tensor v = rand(9, -1, 1, 2, 5, 3).requiresGrad(true);
        Tensor g = rand(10, -1, 1, 2, 3, 3);
        ScaledDotProductAttention.Result r = ScaledDotProductAttention.withWeights(q, k, v);
        r.out().backward(g);
        Tensor p = r.weights().detach();
        double scale = 1 / Math.sqrt(4);
        close(p.transpose(1, 2).matmul(g), v.grad());
        Tensor dp = g.matmul(v.detach().transpose(1, 2));
        Tensor ds = p.mul(dp.sub(dp.mul(p).sum(new int[] {2}, true)));
        close(ds.matmul(k.detach()).mul(scale), q.grad());
        close(ds.transpose(1, 2).matmul(q.detach()).mul(scale), k.grad());
    }
}
