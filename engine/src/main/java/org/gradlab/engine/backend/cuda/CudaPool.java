package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.PoolKernels;
import org.gradlab.natives.cuda.DeviceBuffer;
import org.gradlab.natives.cuda.PoolingKernels;
import org.gradlab.natives.cuda.PoolingKernels.Window;

/**
 * Pooling on the GPU with GradLab's own kernels ({@code pool.cu}). NOTE: cuDNN's max pooling does
 * not promise which of several equal maxima it selects; the engine's rule is the FIRST maximum in
 * row-major window order (what PyTorch's CUDA kernels do), so max pooling uses our kernel: the
 * forward records the selected flat index per window (int32 scratch) and the backward gathers per
 * input element (deterministic). Average pooling (both count_include_pad modes) and adaptive
 * average pooling use the same gather-style kernels.
 */
final class CudaPool implements PoolKernels {

    private static Window window(int[] xs, int ho, int wo, Pool2dParams p) {
        return new Window((long) xs[0] * xs[1], xs[2], xs[3], ho, wo, p.kH(), p.kW(), p.strideH(), p.strideW(), p.padH(), p.padW());
    }

    private static PoolingKernels k(Tensor t) {
        return ctx(t).kernels().pooling();
    }

    @Override
    public Tensor maxPool2dForward(Tensor x, Pool2dParams p) {
        Tensor xc = dense(x);
        int[] s = x.shape();
        Tensor out = uninitialized(x, s[0], s[1], p.outH(s[2]), p.outW(s[3]));
        k(x).maxForward(type(x), ptr(xc), ptr(out), 0, 0, window(s, p.outH(s[2]), p.outW(s[3]), p));
        return out;
    }

    @Override
    public Tensor maxPool2dIndices(Tensor x, Pool2dParams p) {
        Tensor xc = dense(x);
        int[] s = x.shape();
        Tensor idx = uninitialized(x, DType.F64, s[0], s[1], p.outH(s[2]), p.outW(s[3]));
        k(x).maxForward(type(x), ptr(xc), 0, 0, ptr(idx), window(s, p.outH(s[2]), p.outW(s[3]), p));
        return idx;
    }

    @Override
    public Tensor maxPool2dBackward(Tensor g, Tensor x, Tensor out, Pool2dParams p) {
        requireSameDevice("max_pool2d backward", g, x);
        Tensor xc = dense(x);
        Tensor gc = dense(g);
        int[] s = x.shape();
        Window win = window(s, g.shape(2), g.shape(3), p);
        Tensor gx = uninitialized(x, s);
        try (DeviceBuffer idx = ctx(x).allocate(Math.max(1, win.planes() * win.outH() * win.outW()) * 4)) {
            k(x).maxForward(type(x), ptr(xc), 0, idx.address(), 0, win);
            k(x).maxBackward(type(x), ptr(gc), idx.address(), ptr(gx), win);
        } // the index scratch returns to the cache; the stream runs both kernels before any reuse
        return gx;
    }

    @Override
    public Tensor avgPool2dForward(Tensor x, Pool2dParams p, boolean countIncludePad) {
        Tensor xc = dense(x);
        int[] s = x.shape();
        Tensor out = uninitialized(x, s[0], s[1], p.outH(s[2]), p.outW(s[3]));
        k(x).avgForward(type(x), ptr(xc), ptr(out), window(s, p.outH(s[2]), p.outW(s[3]), p), countIncludePad, false);
        return out;
    }

    @Override
    public Tensor avgPool2dBackward(Tensor g, int[] xShape, Pool2dParams p, boolean countIncludePad) {
        Tensor gc = dense(g);
        Tensor gx = uninitialized(g, xShape);
        k(g).avgBackward(type(g), ptr(gc), ptr(gx), window(xShape, g.shape(2), g.shape(3), p), countIncludePad, false);
        return gx;
    }

    @Override
    public Tensor adaptiveAvgPool2dForward(Tensor x, int outH, int outW) {
        Tensor xc = dense(x);
        int[] s = x.shape();
        Tensor out = uninitialized(x, s[0], s[1], outH, outW);
        k(x).avgForward(type(x), ptr(xc), ptr(out), adaptiveWindow(s, outH, outW), true, true);
        return out;
    }

    @Override
    public Tensor adaptiveAvgPool2dBackward(Tensor g, int[] xShape) {
        Tensor gc = dense(g);
        Tensor gx = uninitialized(g, xShape);
        k(g).avgBackward(type(g), ptr(gc), ptr(gx), adaptiveWindow(xShape, g.shape(2), g.shape(3)), true, true);
        return gx;
    }

    private static Window adaptiveWindow(int[] xs, int outH, int outW) {
        return new Window((long) xs[0] * xs[1], xs[2], xs[3], outH, outW, 1, 1, 1, 1, 0, 0);
    }
}
