package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.NormKernels;

/**
 * CPU batch norm: per channel, fused passes over the (N, S) blocks of a contiguous (N, C, S...)
 * input, accumulating in double. The variance is computed two-pass (sum of squared deviations
 * from the mean), which keeps float32 accurate. float32 stages whole tensors through heap arrays
 * ({@link ChannelLoops32}); float64 reads/writes the DoubleBuffer directly.
 */
final class CpuNorm implements NormKernels {

    @Override
    public BatchNormResult batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                            boolean training, double momentum, double eps) {
        Tensor xc = contiguous(x);
        int n = x.shape(0);
        int c = x.shape(1);
        int s = Math.toIntExact(x.numel() / Math.max(1, (long) n * c));
        long count = (long) n * s;
        double[] w = weight == null ? null : weight.toDoubleArray();
        double[] b = bias == null ? null : bias.toDoubleArray();
        double[] mean = new double[c];
        double[] invstd = new double[c];
        double[] var = new double[c];
        float[] xa = x.dtype() == DType.F32 ? HeapStage.load(0, storage(xc).f32(), (int) xc.offset(), (int) xc.numel()) : null;
        if (training && xa != null) {
            double[] sq = new double[c];
            ChannelLoops32.channelSums(xa, n, c, s, mean);
            for (int ch = 0; ch < c; ch++) {
                mean[ch] /= count;
            }
            ChannelLoops32.channelSqDev(xa, n, c, s, mean, sq);
            for (int ch = 0; ch < c; ch++) {
                var[ch] = sq[ch] / count;
                invstd[ch] = 1.0 / Math.sqrt(var[ch] + eps);
            }
        } else if (training) {
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = sum(xc, n, c, s, ch) / count;
                var[ch] = sumSqDev(xc, n, c, s, ch, mean[ch]) / count;
                invstd[ch] = 1.0 / Math.sqrt(var[ch] + eps);
            }
        } else {
            double[] rm = runningMean.toDoubleArray();
            double[] rv = runningVar.toDoubleArray();
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = rm[ch];
                invstd[ch] = 1.0 / Math.sqrt(rv[ch] + eps);
            }
        }
        if (training && runningMean != null) {
            updateRunning(runningMean, mean, momentum, 1.0);
        }
        if (training && runningVar != null) {
            updateRunning(runningVar, var, momentum, count / (double) (count - 1));
        }
        Tensor out = xa != null ? Tensor.uninitialized(x.dtype(), x.device(), x.shape()) // stored whole below
                : Tensor.zeros(x.dtype(), x.device(), x.shape());
        double[] scale = new double[c];
        double[] shift = new double[c];
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = (w == null ? 1.0 : w[ch]) * invstd[ch];
            shift[ch] = (b == null ? 0.0 : b[ch]) - mean[ch] * scale[ch];
        }
        if (xa != null) {
            int total = (int) xc.numel();
            float[] oa = HeapStage.scratch(1, total);
            ChannelLoops32.affine(xa, oa, n, c, s, ChannelLoops32.toFloats(scale), ChannelLoops32.toFloats(shift));
            HeapStage.store(oa, storage(out).f32(), 0, total);
        } else {
            affine(xc, out, n, c, s, scale, shift);
        }
        return new BatchNormResult(out, Tensor.of(x.dtype(), x.device(), mean, c),
                Tensor.of(x.dtype(), x.device(), invstd, c));
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvstd,
                                            boolean training, boolean needX, boolean needWeight, boolean needBias) {
        Tensor xc = contiguous(x);
        Tensor g = contiguous(gradOut);
        int n = x.shape(0);
        int c = x.shape(1);
        int s = Math.toIntExact(x.numel() / Math.max(1, (long) n * c));
        long count = (long) n * s;
        double[] w = weight == null ? null : weight.toDoubleArray();
        double[] mean = saveMean.toDoubleArray();
        double[] invstd = saveInvstd.toDoubleArray();
        double[] sumG = new double[c];
        double[] sumGXhat = new double[c];
        double[] scale = new double[c];
        double[] gShift = new double[c];
        double[] xCoef = new double[c];
        boolean f32 = x.dtype() == DType.F32;
        int total = (int) xc.numel();
        float[] ga = f32 ? HeapStage.load(0, storage(g).f32(), (int) g.offset(), total) : null;
        float[] xa = f32 ? HeapStage.load(1, storage(xc).f32(), (int) xc.offset(), total) : null;
        double[] sumGDev = new double[c];
        if (f32) {
            ChannelLoops32.gradSums(ga, xa, n, c, s, mean, sumG, sumGDev);
        }
        for (int ch = 0; ch < c; ch++) {
            if (!f32) {
                double[] sums = sumGAndGDev(g, xc, n, c, s, ch, mean[ch]);
                sumG[ch] = sums[0];
                sumGDev[ch] = sums[1];
            }
            sumGXhat[ch] = sumGDev[ch] * invstd[ch];
            double wi = (w == null ? 1.0 : w[ch]) * invstd[ch];
            scale[ch] = wi;
            if (training) {
                // grad_x = w*invstd*(g - mean(g) - xhat*mean(g*xhat)), xhat = (x-mean)*invstd
                gShift[ch] = -sumG[ch] / count;
                xCoef[ch] = -invstd[ch] * sumGXhat[ch] / count;
            }
        }
        Tensor gx = null;
        if (needX) {
            gx = f32 ? Tensor.uninitialized(x.dtype(), x.device(), x.shape()) : Tensor.zeros(x.dtype(), x.device(), x.shape());
            if (f32) {
                // gx = scale*(g + gShift + xCoef*(x - mean)) = A*g + B*x + D per channel
                float[] a = new float[c];
                float[] b = new float[c];
                float[] d = new float[c];
                for (int ch = 0; ch < c; ch++) {
                    a[ch] = (float) scale[ch];
                    b[ch] = (float) (scale[ch] * xCoef[ch]);
                    d[ch] = (float) (scale[ch] * (gShift[ch] - xCoef[ch] * mean[ch]));
                }
                float[] oa = HeapStage.scratch(2, total);
                ChannelLoops32.affine2(ga, xa, oa, n, c, s, a, b, d);
                HeapStage.store(oa, storage(gx).f32(), 0, total);
            } else {
                gradX(g, xc, gx, n, c, s, scale, gShift, xCoef, mean);
            }
        }
        Tensor gw = needWeight ? Tensor.of(x.dtype(), x.device(), sumGXhat, c) : null;
        Tensor gb = needBias ? Tensor.of(x.dtype(), x.device(), sumG, c) : null;
        return new BatchNormGrads(gx, gw, gb);
    }

    // ------------------------------------------------------------------ passes

    private static Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : t.backend().elementwise().contiguous(t);
    }

    private static void updateRunning(Tensor running, double[] batch, double momentum, double factor) {
        CpuStorage st = storage(running);
        int stride = running.strides()[0];
        for (int ch = 0; ch < batch.length; ch++) {
            long i = running.offset() + (long) ch * stride;
            st.set(i, (1 - momentum) * st.get(i) + momentum * batch[ch] * factor);
        }
    }

    /** Sum of x over channel {@code ch}. */
    private static double sum(Tensor x, int n, int c, int s, int ch) {
        CpuStorage st = storage(x);
        double acc = 0;
        if (x.dtype() == DType.F32) {
            FloatBuffer f = st.f32();
            for (int i = 0; i < n; i++) {
                int base = (int) (x.offset() + ((long) i * c + ch) * s);
                for (int k = 0; k < s; k++) {
                    acc += f.get(base + k);
                }
            }
        } else {
            DoubleBuffer d = st.f64();
            for (int i = 0; i < n; i++) {
                int base = (int) (x.offset() + ((long) i * c + ch) * s);
                for (int k = 0; k < s; k++) {
                    acc += d.get(base + k);
                }
            }
        }
        return acc;
    }

    /** Sum of (x - mean)^2 over channel {@code ch}. */
    private static double sumSqDev(Tensor x, int n, int c, int s, int ch, double mean) {
        CpuStorage st = storage(x);
        double acc = 0;
        if (x.dtype() == DType.F32) {
            FloatBuffer f = st.f32();
            for (int i = 0; i < n; i++) {
                int base = (int) (x.offset() + ((long) i * c + ch) * s);
                for (int k = 0; k < s; k++) {
                    double dv = f.get(base + k) - mean;
                    acc += dv * dv;
                }
            }
        } else {
            DoubleBuffer d = st.f64();
            for (int i = 0; i < n; i++) {
                int base = (int) (x.offset() + ((long) i * c + ch) * s);
                for (int k = 0; k < s; k++) {
                    double dv = d.get(base + k) - mean;
                    acc += dv * dv;
                }
            }
        }
        return acc;
    }

    /** {sum g, sum g*(x-mean)} over channel {@code ch}. */
    private static double[] sumGAndGDev(Tensor g, Tensor x, int n, int c, int s, int ch, double mean) {
        CpuStorage gs = storage(g);
        CpuStorage xs = storage(x);
        double sg = 0;
        double sgx = 0;
        if (x.dtype() == DType.F32) {
            FloatBuffer gf = gs.f32();
            FloatBuffer xf = xs.f32();
            for (int i = 0; i < n; i++) {
                long blk = ((long) i * c + ch) * s;
                int gb = (int) (g.offset() + blk);
                int xb = (int) (x.offset() + blk);
                for (int k = 0; k < s; k++) {
                    double gv = gf.get(gb + k);
                    sg += gv;
                    sgx += gv * (xf.get(xb + k) - mean);
                }
            }
        } else {
            DoubleBuffer gd = gs.f64();
            DoubleBuffer xd = xs.f64();
            for (int i = 0; i < n; i++) {
                long blk = ((long) i * c + ch) * s;
                int gb = (int) (g.offset() + blk);
                int xb = (int) (x.offset() + blk);
                for (int k = 0; k < s; k++) {
                    double gv = gd.get(gb + k);
                    sg += gv;
                    sgx += gv * (xd.get(xb + k) - mean);
                }
            }
        }
        return new double[] {sg, sgx};
    }

    /** out = x * scale[ch] + shift[ch]. */
    private static void affine(Tensor x, Tensor out, int n, int c, int s, double[] scale, double[] shift) {
        CpuStorage xs = storage(x);
        CpuStorage os = storage(out);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                long blk = ((long) i * c + ch) * s;
                int xb = (int) (x.offset() + blk);
                int ob = (int) blk;
                double a = scale[ch];
                double b = shift[ch];
                if (x.dtype() == DType.F32) {
                    FloatBuffer xf = xs.f32();
                    FloatBuffer of = os.f32();
                    for (int k = 0; k < s; k++) {
                        of.put(ob + k, (float) (xf.get(xb + k) * a + b));
                    }
                } else {
                    DoubleBuffer xd = xs.f64();
                    DoubleBuffer od = os.f64();
                    for (int k = 0; k < s; k++) {
                        od.put(ob + k, xd.get(xb + k) * a + b);
                    }
                }
            }
        }
    }

    /** gx = scale * (g + gShift + xCoef * (x - mean)) per channel (gShift = xCoef = 0 in eval). */
    private static void gradX(Tensor g, Tensor x, Tensor gx, int n, int c, int s, double[] scale, double[] gShift,
                              double[] xCoef, double[] mean) {
        CpuStorage gs = storage(g);
        CpuStorage xs = storage(x);
        CpuStorage os = storage(gx);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                long blk = ((long) i * c + ch) * s;
                int gb = (int) (g.offset() + blk);
                int xb = (int) (x.offset() + blk);
                int ob = (int) blk;
                double a = scale[ch];
                double sh = gShift[ch];
                double xc = xCoef[ch];
                double m = mean[ch];
                if (x.dtype() == DType.F32) {
                    FloatBuffer gf = gs.f32();
                    FloatBuffer xf = xs.f32();
                    FloatBuffer of = os.f32();
                    for (int k = 0; k < s; k++) {
                        of.put(ob + k, (float) (a * (gf.get(gb + k) + sh + xc * (xf.get(xb + k) - m))));
                    }
                } else {
                    DoubleBuffer gd = gs.f64();
                    DoubleBuffer xd = xs.f64();
                    DoubleBuffer od = os.f64();
                    for (int k = 0; k < s; k++) {
                        od.put(ob + k, a * (gd.get(gb + k) + sh + xc * (xd.get(xb + k) - m)));
                    }
                }
            }
        }
    }
}
