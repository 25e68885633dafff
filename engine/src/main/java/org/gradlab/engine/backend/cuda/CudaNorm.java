package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.natives.cuda.BatchNormKernels;
import org.gradlab.natives.cuda.CudaContext;
import org.gradlab.natives.cuda.Cudnn;
import org.gradlab.natives.cuda.DeviceBuffer;

/**
 * Batch norm on the GPU. float32 with eps ≥ 1e-5 (cuDNN's minimum) goes through cuDNN spatial
 * batch norm (forward training / inference, backward); float64, smaller eps, a single value per
 * channel and the eval-mode backward use our kernels ({@code norm.cu}, the CPU's math).
 *
 * <p>NOTE (running statistics): cuDNN's running-variance update is not what the engine promises
 * (PyTorch: running_var = (1-m)·running_var + m·unbiased batch var). To not depend on cuDNN's
 * convention, cuDNN is called WITHOUT running buffers and both paths update them with our kernel:
 * the biased batch variance is recovered from cuDNN's saved inverse std as 1/invstd² − eps and
 * multiplied by M/(M−1), M = N·H·W (Bessel). Running buffers that are strided views are updated
 * through a contiguous copy that is written back, so the update is always in place.
 */
final class CudaNorm implements NormKernels {

    private static boolean useCudnn(Tensor x, double eps, long count) {
        return x.dtype() == DType.F32 && eps >= Cudnn.BN_MIN_EPSILON && count > 1;
    }

    /** (N, C, S, 1): cuDNN's 4-D view of an (N, C, *) tensor. */
    private static int[] nchw(Tensor x) {
        int n = x.shape(0);
        int c = x.shape(1);
        return new int[] {n, c, Math.toIntExact(x.numel() / Math.max(1, (long) n * c)), 1};
    }

    @Override
    public BatchNormResult batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                            boolean training, double momentum, double eps) {
        Tensor xc = dense(x);
        int[] s4 = nchw(x);
        int c = s4[1];
        long count = (long) s4[0] * s4[2];
        CudaContext ctx = ctx(x);
        BatchNormKernels k = ctx.kernels().batchNorm();
        Tensor w = weight == null ? null : dense(weight);
        Tensor b = bias == null ? null : dense(bias);
        Tensor out = uninitialized(x, x.shape());
        Tensor mean = uninitialized(x, c);
        Tensor invstd = uninitialized(x, c);
        if (!training) {
            if (runningMean == null || runningVar == null) {
                throw new IllegalArgumentException("batch_norm: eval mode needs running_mean and running_var");
            }
            x.backend().elementwise().copyInto(mean, runningMean);
            Tensor rv = dense(runningVar);
            k.invstd(type(x), ptr(rv), ptr(invstd), c, eps);
            if (useCudnn(x, eps, count) && x.numel() > 0) {
                Tensor[] wb = weightAndBias(x, w, b, c);
                ctx.cudnn().batchNormForwardInference(type(x), s4, ptr(xc), ptr(out), ptr(wb[0]), ptr(wb[1]), ptr(mean), ptr(rv), eps);
            } else {
                k.apply(type(x), ptr(xc), ptr(out), x.numel(), c, s4[2], ptr(mean), ptr(invstd), ptrOrNull(w), ptrOrNull(b));
            }
            return new BatchNormResult(out, mean, invstd);
        }
        try (DeviceBuffer var = ctx.allocate((long) c * 8)) {
            long varPtr = 0;
            if (useCudnn(x, eps, count)) {
                Tensor[] wb = weightAndBias(x, w, b, c);
                ctx.cudnn().batchNormForwardTraining(type(x), s4, ptr(xc), ptr(out), ptr(wb[0]), ptr(wb[1]), 0, 0, 0, eps,
                        ptr(mean), ptr(invstd));
            } else {
                k.stats(type(x), ptr(xc), s4[0], c, s4[2], eps, ptr(mean), ptr(invstd), var.address());
                varPtr = var.address();
                k.apply(type(x), ptr(xc), ptr(out), x.numel(), c, s4[2], ptr(mean), ptr(invstd), ptrOrNull(w), ptrOrNull(b));
            }
            if (runningMean != null || runningVar != null) {
                Tensor rm = runningMean == null ? null : dense(runningMean);
                Tensor rv = runningVar == null ? null : dense(runningVar);
                k.running(type(x), ptrOrNull(rm), ptrOrNull(rv), ptr(mean), ptr(invstd), varPtr, c, momentum, eps,
                        count / (double) (count - 1));
                writeBack(runningMean, rm);
                writeBack(runningVar, rv);
            }
        }
        return new BatchNormResult(out, mean, invstd);
    }

    private static void writeBack(Tensor running, Tensor dense) {
        if (running != null && dense != running) {
            running.backend().elementwise().copyInto(running, dense);
        }
    }

    /** cuDNN needs real scale/shift buffers: weight or ones, bias or zeros. */
    private static Tensor[] weightAndBias(Tensor x, Tensor w, Tensor b, int c) {
        Tensor ww = w;
        if (ww == null) {
            ww = uninitialized(x, c);
            x.backend().elementwise().fill(ww, 1.0);
        }
        return new Tensor[] {ww, b == null ? zeros(x, x.dtype(), c) : b};
    }

    @Override
    public BatchNormGrads batchNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvstd,
                                            boolean training, boolean needX, boolean needWeight, boolean needBias) {
        requireSameDevice("batch_norm backward", x, gradOut);
        Tensor xc = dense(x);
        Tensor g = dense(gradOut);
        int[] s4 = nchw(x);
        int c = s4[1];
        long count = (long) s4[0] * s4[2];
        CudaContext ctx = ctx(x);
        Tensor w = weight == null ? null : dense(weight);
        Tensor mean = dense(saveMean);
        Tensor invstd = dense(saveInvstd);
        Tensor gw = needWeight ? uninitialized(x, c) : null;
        Tensor gb = needBias ? uninitialized(x, c) : null;
        if (training && useCudnn(x, 1e-5, count) && x.numel() > 0) {
            Tensor gx = uninitialized(x, x.shape());
            Tensor dScale = gw != null ? gw : uninitialized(x, c);
            Tensor dBias = gb != null ? gb : uninitialized(x, c);
            Tensor[] wb = weightAndBias(x, w, null, c);
            // NOTE: the saved mean/invstd are passed in, so cuDNN does not recompute them and eps is unused
            ctx.cudnn().batchNormBackward(type(x), s4, ptr(xc), ptr(g), ptr(gx), ptr(wb[0]), ptr(dScale), ptr(dBias),
                    Cudnn.BN_MIN_EPSILON, ptr(mean), ptr(invstd));
            return new BatchNormGrads(needX ? gx : null, gw, gb);
        }
        BatchNormKernels k = ctx.kernels().batchNorm();
        Tensor gx = needX ? uninitialized(x, x.shape()) : null;
        try (DeviceBuffer sums = ctx.allocate(Math.max(1, 2L * c) * 8)) {
            k.backwardReduce(type(x), ptr(g), ptr(xc), s4[0], c, s4[2], ptr(mean), sums.address());
            if (gx != null) {
                k.backwardInput(type(x), ptr(g), ptr(xc), ptr(gx), x.numel(), c, s4[2], ptr(mean), ptr(invstd), ptrOrNull(w),
                        sums.address(), training);
            }
            if (gw != null || gb != null) {
                k.backwardParams(type(x), sums.address(), ptr(invstd), ptrOrNull(gw), ptrOrNull(gb), c);
            }
        }
        return new BatchNormGrads(gx, gw, gb);
    }
}
