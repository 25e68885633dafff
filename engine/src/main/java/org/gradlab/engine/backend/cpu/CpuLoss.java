package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.LossKernels;

/**
 * CPU softmax/loss kernels: one row of (N, C) at a time, copied into a double scratch row, all
 * arithmetic in double, results written straight to the output buffers.
 */
final class CpuLoss implements LossKernels {

    @Override
    public Tensor logSoftmax(Tensor x) {
        Rows in = new Rows(x);
        Tensor out = Tensor.zeros(x.dtype(), x.device(), x.shape());
        Rows o = new Rows(out);
        double[] row = new double[in.c];
        for (int i = 0; i < in.n; i++) {
            in.read(i, row);
            logSoftmaxRow(row);
            o.write(i, row);
        }
        return out;
    }

    @Override
    public Tensor logSoftmaxBackward(Tensor gradOut, Tensor y) {
        Rows g = new Rows(gradOut);
        Rows ys = new Rows(y);
        Tensor out = Tensor.zeros(y.dtype(), y.device(), y.shape());
        Rows o = new Rows(out);
        double[] gr = new double[g.c];
        double[] yr = new double[g.c];
        for (int i = 0; i < g.n; i++) {
            g.read(i, gr);
            ys.read(i, yr);
            double sum = 0;
            for (double v : gr) {
                sum += v;
            }
            for (int k = 0; k < gr.length; k++) {
                gr[k] -= Math.exp(yr[k]) * sum;
            }
            o.write(i, gr);
        }
        return out;
    }

    @Override
    public LossResult nllLoss(Tensor logp, Tensor target, Tensor weight, Reduction reduction, boolean computeGrad) {
        return loss("nll_loss", logp, target, weight, 0.0, reduction, computeGrad, false);
    }

    @Override
    public LossResult crossEntropy(Tensor logits, Tensor target, Tensor weight, double labelSmoothing,
                                   Reduction reduction, boolean computeGrad) {
        return loss("cross_entropy", logits, target, weight, labelSmoothing, reduction, computeGrad, true);
    }

    /**
     * Per sample l_i = sum_c a[i,c] * (-logp[i,c]) with a[i,c] = (1-eps) w[y_i] [c = y_i] + (eps/C) w[c].
     * MEAN divides by W = sum_i w[y_i]. Gradient of l_i: w.r.t. logp it is -a[i,:]; w.r.t.
     * logits (softmax p) it is A_i p[i,:] - a[i,:], with A_i = sum_c a[i,c].
     */
    private static LossResult loss(String op, Tensor input, Tensor target, Tensor weight, double eps,
                                   Reduction reduction, boolean computeGrad, boolean fromLogits) {
        Rows in = new Rows(input);
        int n = in.n;
        int c = in.c;
        int[] y = targets(op, target, n, c);
        double[] w = weight == null ? null : weight.toDoubleArray();
        double sumW = 0;
        double wTotal = 0;
        for (int k = 0; k < c; k++) {
            wTotal += w == null ? 1 : w[k];
        }
        for (int i = 0; i < n; i++) {
            sumW += w == null ? 1 : w[y[i]];
        }
        double norm = reduction == Reduction.MEAN ? 1.0 / sumW : 1.0;
        double[] perSample = new double[n];
        double total = 0;
        Tensor grad = computeGrad ? Tensor.zeros(input.dtype(), input.device(), input.shape()) : null;
        Rows go = computeGrad ? new Rows(grad) : null;
        double[] row = new double[c];
        for (int i = 0; i < n; i++) {
            in.read(i, row);
            if (fromLogits) {
                logSoftmaxRow(row);
            }
            double wy = w == null ? 1 : w[y[i]];
            double smooth = 0;
            if (eps != 0) {
                for (int k = 0; k < c; k++) {
                    smooth -= (w == null ? 1 : w[k]) * row[k];
                }
            }
            double li = (1 - eps) * wy * -row[y[i]] + (eps / c) * smooth;
            perSample[i] = li;
            total += li;
            if (computeGrad) {
                double aTotal = (1 - eps) * wy + (eps / c) * wTotal;
                for (int k = 0; k < c; k++) {
                    double a = (eps / c) * (w == null ? 1 : w[k]) + (k == y[i] ? (1 - eps) * wy : 0);
                    row[k] = fromLogits ? norm * (aTotal * Math.exp(row[k]) - a) : -norm * a;
                }
                go.write(i, row);
            }
        }
        Tensor loss = reduction == Reduction.NONE
                ? Tensor.of(input.dtype(), input.device(), perSample, n)
                : Tensor.of(input.dtype(), input.device(), new double[] {total * norm});
        return new LossResult(loss, grad);
    }

    /** Class indices from a float tensor of exact integers, each checked in [0, C). */
    private static int[] targets(String op, Tensor target, int n, int c) {
        if (target.dim() != 1 || target.shape(0) != n) {
            throw new IllegalArgumentException(op + ": target must have shape [" + n + "] (one class index per row), got "
                    + Shape.str(target.shape()));
        }
        double[] t = target.toDoubleArray();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double v = t[i];
            if (!(v >= 0 && v < c) || v != Math.rint(v)) {
                throw new IllegalArgumentException(op + ": target[" + i + "] = " + (v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v))
                        + " is not a class index in [0, " + c + ")");
            }
            y[i] = (int) v;
        }
        return y;
    }

    /** In place: row := row - max - log(sum(exp(row - max))). */
    private static void logSoftmaxRow(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        for (int k = 0; k < row.length; k++) {
            row[k] -= lse;
        }
    }

    /** Row access to a 2-D tensor (made contiguous), float32 or float64. */
    private static final class Rows {
        final int n;
        final int c;
        final int base;
        final FloatBuffer f;
        final DoubleBuffer d;
        final Tensor x; // keeps a contiguous copy's storage reachable while rows are read

        Rows(Tensor t) {
            x = dense(t);
            n = x.shape(0);
            c = x.shape(1);
            base = (int) x.offset();
            CpuStorage s = storage(x);
            f = x.dtype() == DType.F32 ? s.f32() : null;
            d = x.dtype() == DType.F64 ? s.f64() : null;
        }

        void read(int i, double[] row) {
            int o = base + i * c;
            if (f != null) {
                for (int k = 0; k < c; k++) {
                    row[k] = f.get(o + k);
                }
            } else {
                for (int k = 0; k < c; k++) {
                    row[k] = d.get(o + k);
                }
            }
        }

        void write(int i, double[] row) {
            int o = base + i * c;
            if (f != null) {
                for (int k = 0; k < c; k++) {
                    f.put(o + k, (float) row[k]);
                }
            } else {
                for (int k = 0; k < c; k++) {
                    d.put(o + k, row[k]);
                }
            }
        }
    }
}
