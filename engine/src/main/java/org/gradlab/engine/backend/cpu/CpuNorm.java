package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.UnaryFn;

/**
 * CPU batch norm over a contiguous (N, C, S...) input: the per-channel scalar math here (the
 * formulas are in {@link NormReference}'s comment), the passes over the elements either the
 * float64 reference loops ({@link NormReference}) or, for float32, the fast loops on staged heap
 * arrays ({@link ChannelLoops32}), which are tested against them. Statistics accumulate in double;
 * the variance is two-pass (squared deviations from the mean), which keeps float32 accurate.
 *
 * <p>float32 splits the channels across threads ({@link Parallel}) and does everything a
 * channel needs inside its chunk, in ONE pass per direction: stage the chunk's channels, their
 * statistics (or gradient sums), their per-channel coefficients, the element-wise pass, the
 * store. A channel never depends on another, so nothing waits between the steps, and a chunk
 * works through its channels in pieces of about {@link Parallel#pieceFloats} staged floats
 * (at least one channel), so the staging arrays stay small and in cache. Batch norm + SiLU's
 * forward reads a piece in blocks of whole planes instead of staging it ({@link NormSilu32}).
 */
final class CpuNorm implements NormKernels {
    /** What the float32 passes apply to batch norm's output y while it is staged. */
    private enum Activation { NONE, SILU, RELU }

    /** Whether the float32 backwards may write grad_x into gradOut ({@link #intoGradOut}), and the kernels that do. */
    private final boolean intoGradOut;
    private final CpuNorm intoGradOutKernels;

    CpuNorm() {
        this(false);
    }

    private CpuNorm(boolean intoGradOut) {
        this.intoGradOut = intoGradOut;
        intoGradOutKernels = intoGradOut ? this : new CpuNorm(true);
    }

    @Override
    public NormKernels intoGradOut() {
        return intoGradOutKernels;
    }

    @Override
    public BatchNormResult batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                            boolean training, double momentum, double eps) {
        return forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, Activation.NONE, null);
    }

    /** float32: SiLU applied to each staged block before it is stored (float64: the default, two kernels). */
    @Override
    public BatchNormResult batchNormSiluForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                Tensor runningVar, boolean training, double momentum, double eps) {
        if (x.dtype() != DType.F32) {
            return NormKernels.super.batchNormSiluForward(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        }
        return forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, Activation.SILU, null);
    }

    /**
     * float32: each plane's mean summed from the output while it is in a block, with the global
     * pool's arithmetic (the same bits): {@link NormSilu32}; otherwise the default. NOTE: 2x2 planes
     * too, since the blocks of planes (bench/README.md, "batch norm + SiLU forward (issue 14, branch
     * bnfwd)"); the staged pass before them left planes below 8 positions to the pool.
     */
    @Override
    public PooledResult batchNormSiluPooledForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                   Tensor runningVar, boolean training, double momentum, double eps) {
        if (x.dtype() != DType.F32 || x.dim() != 4) {
            return NormKernels.super.batchNormSiluPooledForward(x, weight, bias, runningMean, runningVar, training, momentum,
                    eps);
        }
        float[] means = new float[x.shape(0) * x.shape(1)];
        BatchNormResult r = forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, Activation.SILU, means);
        return new PooledResult(r, Tensor.of(means, x.shape(0), x.shape(1), 1, 1));
    }

    /** float32: ReLU applied to each staged block before it is stored (float64: the default, two kernels). */
    @Override
    public BatchNormResult batchNormReluForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                Tensor runningVar, boolean training, double momentum, double eps) {
        return x.dtype() == DType.F32 ? forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, Activation.RELU, null)
                : NormKernels.super.batchNormReluForward(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /**
     * {@code act} other than NONE: float32 only, out = act(batch norm of x). {@code planeMeans}
     * (float32 only; null: not asked for) receives the mean of each (n, c) plane of out.
     */
    private static BatchNormResult forward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                           boolean training, double momentum, double eps, Activation act,
                                           float[] planeMeans) {
        Tensor xc = dense(x);
        int n = x.shape(0);
        int c = x.shape(1);
        int s = Math.toIntExact(x.numel() / Math.max(1, (long) n * c));
        long count = (long) n * s;
        double[] mean = new double[c];
        double[] var = new double[c];
        double[] invstd = new double[c];
        double[] w = weight == null ? null : weight.toDoubleArray();
        double[] b = bias == null ? null : bias.toDoubleArray();
        double[] rm = training ? null : runningMean.toDoubleArray();
        double[] rv = training ? null : runningVar.toDoubleArray();
        Tensor out;
        if (x.dtype() == DType.F32) {
            out = Tensor.uninitialized(x.dtype(), x.device(), x.shape()); // every chunk stores its channels whole
            FloatBuffer src = storage(xc).f32();
            FloatBuffer dst = storage(out).f32();
            int xo = (int) xc.offset();
            Parallel.forPieces(c, Parallel.grain(count), (int) (Parallel.pieceFloats() / count), (k, c0, c1) -> {
                int cc = c1 - c0;
                boolean blocks = act == Activation.SILU && NormSilu32.blocked(s); // x read in blocks of planes, not staged
                float[] xa = blocks ? null : ChannelLoops32.stage(0, src, xo, n, c, s, c0, c1);
                if (training && blocks) {
                    NormSilu32.meanAndVariance(src, xo, n, c, s, c0, c1, mean, var);
                } else if (training && act == Activation.SILU) { // one pass (EfficientNet); ReLU and plain batch norm keep their bits
                    double[] cm = new double[cc];
                    double[] cv = new double[cc];
                    ChannelLoops32.meanAndVariance(xa, n, cc, s, cm, cv);
                    System.arraycopy(cm, 0, mean, c0, cc);
                    System.arraycopy(cv, 0, var, c0, cc);
                } else if (training) {
                    double[] sums = new double[cc];
                    ChannelLoops32.channelSums(xa, n, cc, s, sums);
                    for (int j = 0; j < cc; j++) {
                        mean[c0 + j] = sums[j] / count;
                    }
                    double[] sq = new double[cc];
                    ChannelLoops32.channelSqDev(xa, n, cc, s, Arrays.copyOfRange(mean, c0, c1), sq);
                    for (int j = 0; j < cc; j++) {
                        var[c0 + j] = sq[j] / count;
                    }
                }
                statistics(training, rm, rv, eps, var, mean, invstd, c0, c1);
                float[] scale = new float[cc];
                float[] shift = new float[cc];
                affineCoefficients(w, b, mean, invstd, c0, act == Activation.SILU, scale, shift);
                if (act == Activation.SILU) { // squeeze-excitation's pool too, from the output
                    if (blocks) {
                        NormSilu32.affineSiluStore(src, xo, n, c, s, c0, c1, scale, shift, storage(out), planeMeans);
                    } else {
                        NormSilu32.piecewise(xa, n, c, s, c0, c1, scale, shift, dst, planeMeans);
                    }
                    return;
                }
                float[] oa = HeapStage.scratch(1, n * cc * s);
                ChannelLoops32.affine(xa, oa, n, cc, s, scale, shift);
                if (act == Activation.RELU) {
                    relu(oa, n * cc * s);
                }
                ChannelLoops32.store(oa, dst, 0, n, c, s, c0, c1);
            });
        } else {
            double[] xd = xc.toDoubleArray();
            if (training) {
                NormReference.meanAndVariance(xd, n, c, s, mean, var);
            }
            statistics(training, rm, rv, eps, var, mean, invstd, 0, c);
            double[] scale = new double[c];
            double[] shift = new double[c];
            for (int ch = 0; ch < c; ch++) {
                scale[ch] = (w == null ? 1.0 : w[ch]) * invstd[ch];
                shift[ch] = (b == null ? 0.0 : b[ch]) - mean[ch] * scale[ch];
            }
            out = Tensor.of(DType.F64, x.device(), NormReference.normalize(xd, n, c, s, scale, shift), x.shape());
        }
        if (training && runningMean != null) {
            updateRunning(runningMean, mean, momentum, 1.0);
        }
        if (training && runningVar != null) {
            updateRunning(runningVar, var, momentum, count / (double) (count - 1));
        }
        return new BatchNormResult(out, Tensor.of(x.dtype(), x.device(), mean, c),
                Tensor.of(x.dtype(), x.device(), invstd, c));
    }

    /** a = max(a, 0) for the first {@code len} elements. */
    private static void relu(float[] a, int len) {
        for (int i = 0; i < len; i++) {
            a[i] = Math.max(a[i], 0f); // NOTE: CpuElementwise's float32 ReLU: NaN propagates, -0 becomes +0
        }
    }

    /**
     * out = x * scale + shift per channel for channels [c0, c0 + scale.length): scale = w * invstd,
     * shift = b - mean * scale (w, b null: 1, 0). {@code asSaved}: from mean and invstd rounded to
     * float as the forward saves them. NOTE: silu(batch norm) takes them so, because its backward
     * recomputes y from the saved floats and must see the very y the forward passed through SiLU;
     * plain batch norm keeps the unrounded statistics (its float32 output bits stay as they were).
     */
    private static void affineCoefficients(double[] w, double[] b, double[] mean, double[] invstd, int c0, boolean asSaved,
                                           float[] scale, float[] shift) {
        for (int j = 0; j < scale.length; j++) {
            double m = asSaved ? (float) mean[c0 + j] : mean[c0 + j];
            double is = asSaved ? (float) invstd[c0 + j] : invstd[c0 + j];
            double sc = (w == null ? 1.0 : w[c0 + j]) * is;
            scale[j] = (float) sc;
            shift[j] = (float) ((b == null ? 0.0 : b[c0 + j]) - m * sc);
        }
    }

    /**
     * invstd (and, in eval, mean) of channels [c0, c1): training uses the batch variance already in
     * {@code var}, eval the running statistics.
     */
    private static void statistics(boolean training, double[] rm, double[] rv, double eps, double[] var, double[] mean,
                                   double[] invstd, int c0, int c1) {
        for (int ch = c0; ch < c1; ch++) {
            if (training) {
                invstd[ch] = 1.0 / Math.sqrt(var[ch] + eps);
            } else {
                mean[ch] = rm[ch];
                invstd[ch] = 1.0 / Math.sqrt(rv[ch] + eps);
            }
        }
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvstd,
                                            boolean training, boolean needX, boolean needWeight, boolean needBias) {
        return backward(gradOut, x, weight, null, null, saveMean, saveInvstd, training, needX, needWeight, needBias,
                Activation.NONE, intoGradOut);
    }

    /**
     * float32: each staged block of the gradient is multiplied by silu'(y), y = x * scale + shift
     * recomputed per channel as the forward computed it, before the batch-norm sums; given the
     * forward's output, sigmoid(y) is out / y, else an exponential (float64: the default).
     */
    @Override
    public BatchNormGrads batchNormSiluBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor bias, Tensor out,
                                                Tensor saveMean, Tensor saveInvstd, boolean training, boolean needX,
                                                boolean needWeight, boolean needBias) {
        if (x.dtype() != DType.F32) {
            return NormKernels.super.batchNormSiluBackward(gradOut, x, weight, bias, out, saveMean, saveInvstd, training,
                    needX, needWeight, needBias);
        }
        return backward(gradOut, x, weight, bias, out, saveMean, saveInvstd, training, needX, needWeight, needBias,
                Activation.SILU, intoGradOut);
    }

    /**
     * float32: each staged block of the gradient is zeroed where the staged block of the forward's
     * output is not > 0, before the batch-norm sums (float64: the default).
     */
    @Override
    public BatchNormGrads batchNormReluBackward(Tensor gradOut, Tensor out, Tensor x, Tensor weight, Tensor saveMean,
                                                Tensor saveInvstd, boolean training, boolean needX, boolean needWeight,
                                                boolean needBias) {
        return x.dtype() == DType.F32 ? backward(gradOut, x, weight, null, out, saveMean, saveInvstd, training, needX,
                needWeight, needBias, Activation.RELU, intoGradOut)
                : NormKernels.super.batchNormReluBackward(gradOut, out, x, weight, saveMean, saveInvstd, training, needX,
                        needWeight, needBias);
    }

    /**
     * {@code act} other than NONE: float32 only, the backward of act(batch norm of x); SILU takes
     * {@code bias} (may be null) and the forward's output {@code out} (may be null), RELU {@code out}.
     * {@code intoG}: float32 writes grad_x over a dense gradOut of x's shape (each piece stages its
     * own channels of g before it stores theirs, so nothing reads what was written).
     */
    private static BatchNormGrads backward(Tensor gradOut, Tensor x, Tensor weight, Tensor bias, Tensor out,
                                           Tensor saveMean, Tensor saveInvstd, boolean training, boolean needX,
                                           boolean needWeight, boolean needBias, Activation act, boolean intoG) {
        Tensor xc = dense(x);
        Tensor g = dense(gradOut);
        int n = x.shape(0);
        int c = x.shape(1);
        int s = Math.toIntExact(x.numel() / Math.max(1, (long) n * c));
        long count = (long) n * s;
        double[] w = weight == null ? null : weight.toDoubleArray();
        double[] bs = bias == null ? null : bias.toDoubleArray();
        double[] mean = saveMean.toDoubleArray();
        double[] invstd = saveInvstd.toDoubleArray();
        double[] sumG = new double[c];
        double[] sumGXhat = new double[c];
        Tensor gx = null;
        if (x.dtype() == DType.F32) {
            boolean overG = intoG && CpuBackend.writableOver(gradOut, x.shape(), x, out);
            gx = !needX ? null : overG ? g : Tensor.uninitialized(x.dtype(), x.device(), x.shape()); // chunks store whole channels
            FloatBuffer gs = storage(g).f32();
            FloatBuffer xs = storage(xc).f32();
            FloatBuffer dst = gx == null ? null : storage(gx).f32();
            int go = (int) g.offset();
            int xo = (int) xc.offset();
            Tensor oc = out == null ? null : dense(out);
            boolean relu = act == Activation.RELU;
            IntBuffer outBits = relu ? storage(oc).buffer().asBytes().asIntBuffer() : null;
            IntBuffer gBits = relu ? storage(g).buffer().asBytes().asIntBuffer() : null;
            FloatBuffer outs = !relu && oc != null ? storage(oc).f32() : null; // SiLU's output
            int oo = oc == null ? 0 : (int) oc.offset();
            // the vector kernels' SiLU backward: one pass for g * silu'(y) and the sums, grad_x stored from registers
            boolean lanes = act == Activation.SILU && outs != null && NormSilu32.backwardInLanes(s);
            ByteBuffer dstBytes = lanes && gx != null ? storage(gx).buffer().asBytes() : null;
            NormSilu32.Operands mem = lanes ? NormSilu32.Operands.unstaged(s, storage(g), go, storage(xc), xo, storage(oc), oo) : null;
            Parallel.forPieces(c, Parallel.grain(count), (int) (Parallel.pieceFloats() / count), (k, c0, c1) -> {
                int cc = c1 - c0;
                float[] ga = act == Activation.RELU ? ReluMasks32.stageMaskedByOutput(gBits, go, outBits, oo, n, c, s, c0, c1)
                        : mem != null && mem.read() ? HeapStage.scratch(0, n * cc * s) : ChannelLoops32.stage(0, gs, go, n, c, s, c0, c1);
                float[] xa = mem != null && mem.read() ? null : ChannelLoops32.stage(1, xs, xo, n, c, s, c0, c1); // null: read in lanes
                double[] sg = new double[cc];
                double[] sgDev = new double[cc];
                double[] meanPiece = Arrays.copyOfRange(mean, c0, c1);
                if (act == Activation.SILU) { // ga = g * silu'(y), y = x * scale + shift as in the forward
                    float[] scale = new float[cc];
                    float[] shift = new float[cc];
                    affineCoefficients(w, bs, mean, invstd, c0, false, scale, shift); // mean, invstd: the saved floats
                    float[] fwdOut = outs == null || xa == null ? null : ChannelLoops32.stage(4, outs, oo, n, c, s, c0, c1);
                    if (lanes) { // with its sums, in one pass
                        NormSiluLanes32.siluGradientSums(ga, xa, fwdOut, mem, c, c0, n, cc, s, scale, shift, meanPiece, sg, sgDev);
                    } else {
                        float[] ya = HeapStage.scratch(3, n * cc * s);
                        ChannelLoops32.affine(xa, ya, n, cc, s, scale, shift);
                        if (fwdOut != null) {
                            UnaryLoops32.multiplyBySiluDerivative(ga, ya, fwdOut, n * cc * s);
                        } else {
                            UnaryLoops32.multiplyByDerivative(UnaryFn.SILU_DERIVATIVE, ga, ya, n * cc * s);
                        }
                        ChannelLoops32.gradSumsWide(ga, xa, n, cc, s, meanPiece, sg, sgDev);
                    }
                } else {
                    ChannelLoops32.gradSums(ga, xa, n, cc, s, meanPiece, sg, sgDev);
                }
                float[] a = new float[cc];
                float[] b = new float[cc];
                float[] d = new float[cc];
                for (int j = 0; j < cc; j++) {
                    int ch = c0 + j;
                    sumG[ch] = sg[j];
                    sumGXhat[ch] = sgDev[j] * invstd[ch];
                    Coefficients co = coefficients(training, w, invstd, mean, sumG, sumGXhat, count, ch);
                    // gx = scale*(g + gShift + xCoef*(x - mean)) = A*g + B*x + D per channel
                    a[j] = (float) co.scale;
                    b[j] = (float) (co.scale * co.xCoef);
                    d[j] = (float) (co.scale * (co.gShift - co.xCoef * mean[ch]));
                }
                if (dstBytes != null) {
                    NormSiluLanes32.affine2Store(ga, xa, mem, n, cc, s, a, b, d, dstBytes, c, c0);
                } else if (dst != null) {
                    float[] oa = HeapStage.scratch(2, n * cc * s);
                    ChannelLoops32.affine2(ga, xa, oa, n, cc, s, a, b, d);
                    ChannelLoops32.store(oa, dst, 0, n, c, s, c0, c1);
                }
            });
        } else {
            double[] gd = g.toDoubleArray();
            double[] xd = xc.toDoubleArray();
            double[] sumGDev = new double[c];
            NormReference.gradSums(gd, xd, n, c, s, mean, sumG, sumGDev);
            double[] scale = new double[c];
            double[] gShift = new double[c];
            double[] xCoef = new double[c];
            for (int ch = 0; ch < c; ch++) {
                sumGXhat[ch] = sumGDev[ch] * invstd[ch];
                Coefficients co = coefficients(training, w, invstd, mean, sumG, sumGXhat, count, ch);
                scale[ch] = co.scale;
                gShift[ch] = co.gShift;
                xCoef[ch] = co.xCoef;
            }
            if (needX) {
                gx = Tensor.of(DType.F64, x.device(), NormReference.gradX(gd, xd, n, c, s, scale, gShift, xCoef, mean),
                        x.shape());
            }
        }
        Tensor gw = needWeight ? Tensor.of(x.dtype(), x.device(), sumGXhat, c) : null;
        Tensor gb = needBias ? Tensor.of(x.dtype(), x.device(), sumG, c) : null;
        return new BatchNormGrads(gx, gw, gb);
    }

    /** grad_x = scale * (g + gShift + xCoef * (x - mean)) for one channel. */
    private record Coefficients(double scale, double gShift, double xCoef) {}

    private static Coefficients coefficients(boolean training, double[] w, double[] invstd, double[] mean, double[] sumG,
                                             double[] sumGXhat, long count, int ch) {
        double scale = (w == null ? 1.0 : w[ch]) * invstd[ch];
        if (!training) {
            return new Coefficients(scale, 0, 0);
        }
        // grad_x = w*invstd*(g - mean(g) - xhat*mean(g*xhat)), xhat = (x-mean)*invstd
        return new Coefficients(scale, -sumG[ch] / count, -invstd[ch] * sumGXhat[ch] / count);
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
