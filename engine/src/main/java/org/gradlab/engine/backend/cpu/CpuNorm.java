package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.NormKernels;

/**
 * CPU batch norm over a contiguous (N, C, S...) input: the per-channel scalar math here (the
 * formulas are in {@link NormReference}'s comment), the passes over the elements either the
 * float64 reference loops ({@link NormReference}) or, for float32, the fast loops on staged heap
 * arrays ({@link ChannelLoops32}, the channels split across threads), which are tested against them. Statistics accumulate in double;
 * the variance is two-pass (squared deviations from the mean), which keeps float32 accurate.
 */
final class CpuNorm implements NormKernels {

    @Override
    public BatchNormResult batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                            boolean training, double momentum, double eps) {
        Tensor xc = dense(x);
        int n = x.shape(0);
        int c = x.shape(1);
        int s = Math.toIntExact(x.numel() / Math.max(1, (long) n * c));
        long count = (long) n * s;
        int total = Math.toIntExact(xc.numel());
        boolean f32 = x.dtype() == DType.F32;
        float[] xa = f32 ? HeapStage.loadSplit(0, storage(xc).f32(), (int) xc.offset(), total) : null;
        int grain = Parallel.grain(count);
        double[] xd = f32 ? null : xc.toDoubleArray();
        double[] mean = new double[c];
        double[] var = new double[c];
        double[] invstd = new double[c];
        if (training) {
            if (f32) {
                double[] sq = new double[c];
                Parallel.forChunks(c, grain, (k, c0, c1) -> ChannelLoops32.channelSums(xa, n, c, s, c0, c1, mean));
                for (int ch = 0; ch < c; ch++) {
                    mean[ch] /= count;
                }
                Parallel.forChunks(c, grain, (k, c0, c1) -> ChannelLoops32.channelSqDev(xa, n, c, s, c0, c1, mean, sq));
                for (int ch = 0; ch < c; ch++) {
                    var[ch] = sq[ch] / count;
                }
            } else {
                NormReference.meanAndVariance(xd, n, c, s, mean, var);
            }
            for (int ch = 0; ch < c; ch++) {
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
        double[] w = weight == null ? null : weight.toDoubleArray();
        double[] b = bias == null ? null : bias.toDoubleArray();
        double[] scale = new double[c];
        double[] shift = new double[c];
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = (w == null ? 1.0 : w[ch]) * invstd[ch];
            shift[ch] = (b == null ? 0.0 : b[ch]) - mean[ch] * scale[ch];
        }
        Tensor out;
        if (f32) {
            out = Tensor.uninitialized(x.dtype(), x.device(), x.shape()); // stored whole below
            float[] oa = HeapStage.scratch(1, total);
            float[] scale32 = ChannelLoops32.toFloats(scale);
            float[] shift32 = ChannelLoops32.toFloats(shift);
            Parallel.forChunks(c, grain, (k, c0, c1) -> ChannelLoops32.affine(xa, oa, n, c, s, c0, c1, scale32, shift32));
            HeapStage.storeSplit(oa, storage(out).f32(), 0, total);
        } else {
            out = Tensor.of(DType.F64, x.device(), NormReference.normalize(xd, n, c, s, scale, shift), x.shape());
        }
        return new BatchNormResult(out, Tensor.of(x.dtype(), x.device(), mean, c),
                Tensor.of(x.dtype(), x.device(), invstd, c));
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvstd,
                                            boolean training, boolean needX, boolean needWeight, boolean needBias) {
        Tensor xc = dense(x);
        Tensor g = dense(gradOut);
        int n = x.shape(0);
        int c = x.shape(1);
        int s = Math.toIntExact(x.numel() / Math.max(1, (long) n * c));
        long count = (long) n * s;
        int total = Math.toIntExact(xc.numel());
        boolean f32 = x.dtype() == DType.F32;
        float[] ga = f32 ? HeapStage.loadSplit(0, storage(g).f32(), (int) g.offset(), total) : null;
        float[] xa = f32 ? HeapStage.loadSplit(1, storage(xc).f32(), (int) xc.offset(), total) : null;
        int grain = Parallel.grain(count);
        double[] gd = f32 ? null : g.toDoubleArray();
        double[] xd = f32 ? null : xc.toDoubleArray();
        double[] w = weight == null ? null : weight.toDoubleArray();
        double[] mean = saveMean.toDoubleArray();
        double[] invstd = saveInvstd.toDoubleArray();
        double[] sumG = new double[c];
        double[] sumGDev = new double[c];
        if (f32) {
            Parallel.forChunks(c, grain, (k, c0, c1) -> ChannelLoops32.gradSums(ga, xa, n, c, s, c0, c1, mean, sumG, sumGDev));
        } else {
            NormReference.gradSums(gd, xd, n, c, s, mean, sumG, sumGDev);
        }
        double[] sumGXhat = new double[c];
        double[] scale = new double[c];
        double[] gShift = new double[c];
        double[] xCoef = new double[c];
        for (int ch = 0; ch < c; ch++) {
            sumGXhat[ch] = sumGDev[ch] * invstd[ch];
            scale[ch] = (w == null ? 1.0 : w[ch]) * invstd[ch];
            if (training) {
                // grad_x = w*invstd*(g - mean(g) - xhat*mean(g*xhat)), xhat = (x-mean)*invstd
                gShift[ch] = -sumG[ch] / count;
                xCoef[ch] = -invstd[ch] * sumGXhat[ch] / count;
            }
        }
        Tensor gx = null;
        if (needX && f32) {
            gx = Tensor.uninitialized(x.dtype(), x.device(), x.shape()); // stored whole below
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
            Parallel.forChunks(c, grain, (k, c0, c1) -> ChannelLoops32.affine2(ga, xa, oa, n, c, s, c0, c1, a, b, d));
            HeapStage.storeSplit(oa, storage(gx).f32(), 0, total);
        } else if (needX) {
            gx = Tensor.of(DType.F64, x.device(), NormReference.gradX(gd, xd, n, c, s, scale, gShift, xCoef, mean), x.shape());
        }
        Tensor gw = needWeight ? Tensor.of(x.dtype(), x.device(), sumGXhat, c) : null;
        Tensor gb = needBias ? Tensor.of(x.dtype(), x.device(), sumG, c) : null;
        return new BatchNormGrads(gx, gw, gb);
    }

    private static void updateRunning(Tensor running, double[] batch, double momentum, double factor) {
        CpuStorage st = storage(running);
        int stride = running.strides()[0];
        for (int ch = 0; ch < batch.length; ch++) {
            long i = running.offset() + (long) ch * stride;
            st.set(i, (1 - momentum) * st.get(i) + momentum * batch[ch] * factor);
        }
    }
}
