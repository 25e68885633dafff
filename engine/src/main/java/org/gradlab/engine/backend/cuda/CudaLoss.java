package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import org.gradlab.engine.Reduction;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.LossKernels;
import org.gradlab.natives.NativeBuffer;
import org.gradlab.natives.cuda.ClassLossKernels;
import org.gradlab.natives.cuda.CudaContext;
import org.gradlab.natives.cuda.DeviceBuffer;

/**
 * Softmax-family and classification losses on the GPU. log_softmax and its backward use the row
 * kernels of {@code loss.cu}; NLL and the fused cross-entropy use {@code closs.cu}, which checks
 * the float class indices on the device. NOTE: a bad target never crashes the process: the
 * kernel records the smallest bad row in an error flag that is read back (one 4-byte copy, which
 * synchronizes the stream) and reported as an {@link IllegalArgumentException} naming the row
 * and its value, with the CPU backend's message.
 */
final class CudaLoss implements LossKernels {

    @Override
    public Tensor logSoftmax(Tensor x) {
        Tensor xc = dense(x);
        Tensor out = uninitialized(x, x.shape());
        if (x.numel() > 0) {
            ctx(x).kernels().logSoftmaxForward(type(x), ptr(xc), ptr(out), x.shape(0), x.shape(1));
        }
        return out;
    }

    @Override
    public Tensor logSoftmaxBackward(Tensor gradOut, Tensor y) {
        requireSameDevice("log_softmax backward", y, gradOut);
        Tensor g = dense(gradOut);
        Tensor yc = dense(y);
        Tensor gx = uninitialized(y, y.shape());
        if (y.numel() > 0) {
            ctx(y).kernels().logSoftmaxBackward(type(y), ptr(g), ptr(yc), ptr(gx), y.shape(0), y.shape(1));
        }
        return gx;
    }

    @Override
    public LossResult nllLoss(Tensor logp, Tensor target, Tensor weight, Reduction reduction, boolean computeGrad) {
        return loss("nll_loss", logp, target, weight, 0.0, reduction, computeGrad, false);
    }

    @Override
    public LossResult crossEntropy(Tensor logits, Tensor target, Tensor weight, double labelSmoothing, Reduction reduction,
                                   boolean computeGrad) {
        return loss("cross_entropy", logits, target, weight, labelSmoothing, reduction, computeGrad, true);
    }

    private static LossResult loss(String op, Tensor input, Tensor target, Tensor weight, double eps, Reduction reduction,
                                   boolean computeGrad, boolean fromLogits) {
        int n = input.shape(0);
        int c = input.shape(1);
        if (target.dim() != 1 || target.shape(0) != n) {
            throw new IllegalArgumentException(op + ": target must have shape [" + n + "] (one class index per row), got "
                    + Shape.str(target.shape()));
        }
        requireSameDevice(op, input, target);
        requireSameDevice(op, input, weight);
        Tensor x = dense(input);
        Tensor t = target.dtype() == input.dtype() ? dense(target) : target.backend().elementwise().cast(target, input.dtype());
        Tensor w = weight == null ? null : dense(weight);
        CudaContext ctx = ctx(input);
        ClassLossKernels k = ctx.kernels().classLoss();
        ClassLossKernels.Mode mode = switch (reduction) {
            case MEAN -> ClassLossKernels.Mode.MEAN;
            case SUM -> ClassLossKernels.Mode.SUM;
            case NONE -> ClassLossKernels.Mode.NONE;
        };
        Tensor loss = reduction == Reduction.NONE ? uninitialized(input, n) : uninitialized(input, new int[0]);
        Tensor grad = computeGrad ? uninitialized(input, input.shape()) : null;
        long rows = Math.max(1, n);
        try (DeviceBuffer scratch = ctx.allocate((3 * rows + 2) * 8); DeviceBuffer err = ctx.allocate(4)) {
            long perSample = scratch.address();
            long rowW = perSample + rows * 8;
            long lse = rowW + rows * 8;
            long stats = lse + rows * 8;
            ctx.stream().memsetAsync(err.address(), ClassLossKernels.NO_ERROR_BYTE, 4);
            if (n > 0) {
                k.rows(type(x), ptr(x), ptr(t), ptrOrNull(w), n, c, eps, fromLogits, perSample, rowW, lse, err.address());
            }
            k.reduce(type(x), perSample, rowW, ptrOrNull(w), n, c, mode, ptr(loss), stats);
            if (grad != null) {
                k.grad(type(x), ptr(x), ptr(t), ptrOrNull(w), n, c, eps, fromLogits, lse, stats, ptr(grad));
            }
            int bad = readInt(ctx, err);
            if (bad != ClassLossKernels.NO_ERROR) {
                double v = t.backend().downloadDoubles(t.storage(), t.offset() + bad, 1)[0];
                throw new IllegalArgumentException(op + ": target[" + bad + "] = "
                        + (v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v)) + " is not a class index in [0, " + c + ")");
            }
        }
        return new LossResult(loss, grad);
    }

    /** Copies one int32 back (synchronizes the stream, so it also surfaces kernel faults here). */
    private static int readInt(CudaContext ctx, DeviceBuffer b) {
        try (NativeBuffer h = NativeBuffer.allocate(4)) {
            ctx.stream().copyDeviceToHost(b.address(), h, 0, 4);
            return h.asBytes().order(java.nio.ByteOrder.nativeOrder()).getInt(0);
        }
    }
}
