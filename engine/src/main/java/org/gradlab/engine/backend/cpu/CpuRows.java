package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.RowKernels;

/**
 * CPU layer norm and softmax. The float64 reference reads every input into a double array and
 * computes in double, the clearest form of the math; float32 over the last axis goes through
 * {@link RowLoops32} (one row staged at a time, float loops the JIT vectorises). Softmax along an
 * inner axis reads x as (outer, n, inner) with stride {@code inner} between the n elements.
 */
final class CpuRows implements RowKernels {

    @Override
    public LayerNormResult layerNormForward(Tensor x, int d, Tensor weight, Tensor bias, double eps) {
        int rows = rows(x, d);
        Tensor xc = contiguous(x);
        Tensor out = Tensor.uninitialized(x.dtype(), x.device(), x.shape());
        Tensor mean = Tensor.uninitialized(x.dtype(), x.device(), rows);
        Tensor invstd = Tensor.uninitialized(x.dtype(), x.device(), rows);
        if (x.dtype() == DType.F32) {
            RowLoops32.layerNorm(storage(xc).f32(), (int) xc.offset(), rows, d, floats(weight), floats(bias), eps,
                    storage(out).f32(), storage(mean).f32(), storage(invstd).f32());
            return new LayerNormResult(out, mean, invstd);
        }
        double[] xs = xc.toDoubleArray();
        double[] w = doubles(weight);
        double[] b = doubles(bias);
        double[] y = new double[xs.length];
        double[] mu = new double[rows];
        double[] is = new double[rows];
        for (int r = 0, at = 0; r < rows; r++, at += d) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += xs[at + k];
            }
            mu[r] = s / d;
            double q = 0;
            for (int k = 0; k < d; k++) {
                double dev = xs[at + k] - mu[r];
                q += dev * dev;
            }
            is[r] = 1.0 / Math.sqrt(q / d + eps);
            for (int k = 0; k < d; k++) {
                y[at + k] = (xs[at + k] - mu[r]) * is[r] * (w == null ? 1 : w[k]) + (b == null ? 0 : b[k]);
            }
        }
        write(out, y);
        write(mean, mu);
        write(invstd, is);
        return new LayerNormResult(out, mean, invstd);
    }

    @Override
    public LayerNormGrads layerNormBackward(Tensor gradOut, Tensor x, int d, Tensor weight, Tensor mean, Tensor invstd,
                                            boolean needX, boolean needWeight, boolean needBias) {
        int rows = rows(x, d);
        Tensor gx = needX ? Tensor.uninitialized(x.dtype(), x.device(), x.shape()) : null;
        double[] gw = needWeight ? new double[d] : null;
        double[] gb = needBias ? new double[d] : null;
        if (x.dtype() == DType.F32) {
            Tensor gc = contiguous(gradOut);
            Tensor xc = contiguous(x);
            RowLoops32.layerNormBackward(storage(gc).f32(), (int) gc.offset(), storage(xc).f32(), (int) xc.offset(), rows, d,
                    floats(weight), floats(mean), floats(invstd), gx == null ? null : storage(gx).f32(), gw, gb);
        } else {
            double[] g = gradOut.toDoubleArray();
            double[] xs = x.toDoubleArray();
            double[] w = doubles(weight);
            double[] mu = mean.toDoubleArray();
            double[] is = invstd.toDoubleArray();
            double[] dx = needX ? new double[xs.length] : null;
            double[] xhat = new double[d];
            double[] gh = new double[d];
            for (int r = 0, at = 0; r < rows; r++, at += d) {
                double sumGh = 0;
                double sumGhXhat = 0;
                for (int k = 0; k < d; k++) {
                    xhat[k] = (xs[at + k] - mu[r]) * is[r];
                    gh[k] = g[at + k] * (w == null ? 1 : w[k]);
                    sumGh += gh[k];
                    sumGhXhat += gh[k] * xhat[k];
                    if (gw != null) {
                        gw[k] += g[at + k] * xhat[k];
                    }
                    if (gb != null) {
                        gb[k] += g[at + k];
                    }
                }
                if (dx != null) {
                    for (int k = 0; k < d; k++) {
                        dx[at + k] = is[r] * (gh[k] - sumGh / d - xhat[k] * sumGhXhat / d);
                    }
                }
            }
            if (dx != null) {
                write(gx, dx);
            }
        }
        return new LayerNormGrads(gx, gw == null ? null : Tensor.of(x.dtype(), x.device(), gw, d),
                gb == null ? null : Tensor.of(x.dtype(), x.device(), gb, d));
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        Tensor out = Tensor.uninitialized(x.dtype(), x.device(), x.shape());
        int n = x.shape(axis);
        int inner = inner(x, axis);
        int outer = n == 0 || inner == 0 ? 0 : Math.toIntExact(x.numel() / ((long) n * inner));
        Tensor xc = contiguous(x);
        if (x.dtype() == DType.F32 && inner == 1) {
            RowLoops32.softmax(storage(xc).f32(), (int) xc.offset(), outer, n, storage(out).f32());
            return out;
        }
        double[] xs = xc.toDoubleArray();
        double[] y = new double[xs.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int at = o * n * inner + j;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    max = Math.max(max, xs[at + k * inner]);
                }
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    y[at + k * inner] = Math.exp(xs[at + k * inner] - max);
                    sum += y[at + k * inner];
                }
                for (int k = 0; k < n; k++) {
                    y[at + k * inner] /= sum;
                }
            }
        }
        write(out, y);
        return out;
    }

    @Override
    public Tensor softmaxBackward(Tensor gradOut, Tensor y, int axis) {
        Tensor gx = Tensor.uninitialized(y.dtype(), y.device(), y.shape());
        int n = y.shape(axis);
        int inner = inner(y, axis);
        int outer = n == 0 || inner == 0 ? 0 : Math.toIntExact(y.numel() / ((long) n * inner));
        if (y.dtype() == DType.F32 && inner == 1) {
            Tensor gc = contiguous(gradOut);
            Tensor yc = contiguous(y);
            RowLoops32.softmaxBackward(storage(gc).f32(), (int) gc.offset(), storage(yc).f32(), (int) yc.offset(), outer, n,
                    storage(gx).f32());
            return gx;
        }
        double[] g = gradOut.toDoubleArray();
        double[] ys = y.toDoubleArray();
        double[] out = new double[ys.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int at = o * n * inner + j;
                double dot = 0;
                for (int k = 0; k < n; k++) {
                    dot += g[at + k * inner] * ys[at + k * inner];
                }
                for (int k = 0; k < n; k++) {
                    out[at + k * inner] = ys[at + k * inner] * (g[at + k * inner] - dot);
                }
            }
        }
        write(gx, out);
        return gx;
    }

    private static int rows(Tensor x, int d) {
        if (d <= 0 || x.numel() % d != 0) {
            throw new IllegalArgumentException("layer_norm: " + x.numel() + " elements do not split into rows of " + d);
        }
        return Math.toIntExact(x.numel() / d);
    }

    /** Product of the dims after {@code axis}. */
    private static int inner(Tensor x, int axis) {
        long p = 1;
        for (int i = axis + 1; i < x.dim(); i++) {
            p *= x.shape(i);
        }
        return Math.toIntExact(p);
    }

    private static Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : t.backend().elementwise().contiguous(t);
    }

    private static double[] doubles(Tensor t) {
        return t == null ? null : t.toDoubleArray();
    }

    private static float[] floats(Tensor t) {
        return t == null ? null : t.toFloatArray();
    }

    /** Writes a whole contiguous freshly allocated tensor from a double array. */
    private static void write(Tensor t, double[] data) {
        CpuStorage s = storage(t);
        if (t.dtype() == DType.F64) {
            s.f64().put(0, data);
        } else {
            for (int i = 0; i < data.length; i++) {
                s.f32().put(i, (float) data[i]);
            }
        }
    }
}
