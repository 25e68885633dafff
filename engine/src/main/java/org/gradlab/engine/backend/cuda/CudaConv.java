package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.natives.cuda.ConvShape;

/**
 * Convolution through cuDNN (NCHW, cross-correlation, dilation 1, groups incl. depthwise):
 * forward, backward-data and backward-filter, each with an algorithm chosen once per shape by
 * measurement ({@code cudnnFind*AlgorithmEx}) and a workspace from the caching allocator. The
 * bias is added by a per-channel kernel; its gradient is a reduction over (N, Ho, Wo).
 * Math: exact FP32 (CUDNN_FMA_MATH) unless TF32 was enabled for the device.
 */
final class CudaConv implements ConvKernels {

    static ConvShape shape(Tensor x, int[] xShape, int[] wShape, Conv2dParams p) {
        return new ConvShape(type(x), xShape, wShape, new int[] {p.padH(), p.padW()}, new int[] {p.strideH(), p.strideW()},
                new int[] {1, 1}, p.groups());
    }

    @Override
    public Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        requireSameDevice("conv2d", x, w);
        requireSameDevice("conv2d", x, bias);
        Tensor xc = dense(x);
        Tensor wc = dense(w);
        ConvShape s = shape(x, x.shape(), w.shape(), p);
        int[] o = s.output();
        Tensor out = uninitialized(x, o);
        if (out.numel() == 0) {
            return out;
        }
        if (x.numel() == 0) {
            x.backend().elementwise().fill(out, 0);
        } else {
            ctx(x).cudnn().convForward(s, ptr(xc), ptr(wc), ptr(out));
        }
        if (bias != null) {
            Tensor b = dense(bias);
            ctx(x).kernels().tensor().channelBias(type(x), ptr(out), ptr(b), out.numel(), o[1], (long) o[2] * o[3]);
        }
        return out;
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor g, Tensor w, int[] xShape, Conv2dParams p) {
        requireSameDevice("conv2d backward", g, w);
        Tensor gc = dense(g);
        Tensor wc = dense(w);
        if (gc.numel() == 0) {
            return zeros(g, g.dtype(), xShape);
        }
        Tensor gx = uninitialized(g, xShape);
        ctx(g).cudnn().convBackwardData(shape(g, xShape, w.shape(), p), ptr(wc), ptr(gc), ptr(gx));
        return gx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor g, Tensor x, int[] wShape, Conv2dParams p) {
        requireSameDevice("conv2d backward", g, x);
        Tensor gc = dense(g);
        Tensor xc = dense(x);
        if (gc.numel() == 0) {
            return zeros(g, g.dtype(), wShape);
        }
        Tensor gw = uninitialized(g, wShape);
        ctx(g).cudnn().convBackwardFilter(shape(g, x.shape(), wShape, p), ptr(xc), ptr(gc), ptr(gw), false);
        return gw;
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor g) {
        return g.backend().reduce().sum(g, new int[] {0, 2, 3}, false);
    }
}
