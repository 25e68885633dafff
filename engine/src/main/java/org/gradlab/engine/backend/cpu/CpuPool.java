package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.PoolKernels;

/** CPU pool kernels: direct loops over contiguous planes ({@link PoolLoops}). */
final class CpuPool implements PoolKernels {

    private static Tensor dense(Tensor t) {
        return t.isContiguous() ? t : t.backend().elementwise().contiguous(t);
    }

    private static boolean f32(Tensor t) {
        return t.dtype() == DType.F32;
    }

    @Override
    public Tensor maxPool2dForward(Tensor x, Pool2dParams p) {
        x = dense(x);
        int[] s = x.shape();
        int ho = p.outH(s[2]);
        int wo = p.outW(s[3]);
        Tensor out = Tensor.empty(x.dtype(), x.device(), s[0], s[1], ho, wo);
        int xo = (int) x.offset();
        if (f32(x)) {
            PoolLoops.maxForward(storage(x).f32(), xo, storage(out).f32(), null, s[0] * s[1], s[2], s[3], ho, wo, p);
        } else {
            PoolLoops.maxForward(storage(x).f64(), xo, storage(out).f64(), null, s[0] * s[1], s[2], s[3], ho, wo, p);
        }
        return out;
    }

    @Override
    public Tensor maxPool2dIndices(Tensor x, Pool2dParams p) {
        x = dense(x);
        int[] s = x.shape();
        int ho = p.outH(s[2]);
        int wo = p.outW(s[3]);
        Tensor idx = Tensor.empty(DType.F64, x.device(), s[0], s[1], ho, wo);
        int xo = (int) x.offset();
        if (f32(x)) {
            PoolLoops.maxForward(storage(x).f32(), xo, null, storage(idx).f64(), s[0] * s[1], s[2], s[3], ho, wo, p);
        } else {
            PoolLoops.maxForward(storage(x).f64(), xo, null, storage(idx).f64(), s[0] * s[1], s[2], s[3], ho, wo, p);
        }
        return idx;
    }

    @Override
    public Tensor maxPool2dBackward(Tensor g, Tensor x, Tensor out, Pool2dParams p) {
        g = dense(g);
        x = dense(x);
        int[] s = x.shape();
        Tensor gx = Tensor.zeros(x.dtype(), x.device(), s);
        int go = (int) g.offset();
        int xo = (int) x.offset();
        int ho = g.shape(2);
        int wo = g.shape(3);
        if (f32(x)) {
            PoolLoops.maxBackward(storage(g).f32(), go, storage(x).f32(), xo, storage(gx).f32(), s[0] * s[1], s[2], s[3],
                    ho, wo, p);
        } else {
            PoolLoops.maxBackward(storage(g).f64(), go, storage(x).f64(), xo, storage(gx).f64(), s[0] * s[1], s[2], s[3],
                    ho, wo, p);
        }
        return gx;
    }

    @Override
    public Tensor avgPool2dForward(Tensor x, Pool2dParams p, boolean countIncludePad) {
        x = dense(x);
        int[] s = x.shape();
        int ho = p.outH(s[2]);
        int wo = p.outW(s[3]);
        Tensor out = Tensor.empty(x.dtype(), x.device(), s[0], s[1], ho, wo);
        avg(x, out, s, ho, wo, p, countIncludePad, false);
        return out;
    }

    @Override
    public Tensor avgPool2dBackward(Tensor g, int[] xShape, Pool2dParams p, boolean countIncludePad) {
        g = dense(g);
        Tensor gx = Tensor.zeros(g.dtype(), g.device(), xShape);
        avg(g, gx, xShape, g.shape(2), g.shape(3), p, countIncludePad, true);
        return gx;
    }

    private static void avg(Tensor src, Tensor dst, int[] s, int ho, int wo, Pool2dParams p, boolean inc, boolean back) {
        int so = (int) src.offset();
        if (f32(src)) {
            PoolLoops.avg(storage(src).f32(), so, storage(dst).f32(), s[0] * s[1], s[2], s[3], ho, wo, p, inc, back);
        } else {
            PoolLoops.avg(storage(src).f64(), so, storage(dst).f64(), s[0] * s[1], s[2], s[3], ho, wo, p, inc, back);
        }
    }

    @Override
    public Tensor adaptiveAvgPool2dForward(Tensor x, int outH, int outW) {
        x = dense(x);
        int[] s = x.shape();
        Tensor out = Tensor.empty(x.dtype(), x.device(), s[0], s[1], outH, outW);
        adaptive(x, out, s, outH, outW, false);
        return out;
    }

    @Override
    public Tensor adaptiveAvgPool2dBackward(Tensor g, int[] xShape) {
        g = dense(g);
        Tensor gx = Tensor.zeros(g.dtype(), g.device(), xShape);
        adaptive(g, gx, xShape, g.shape(2), g.shape(3), true);
        return gx;
    }

    private static void adaptive(Tensor src, Tensor dst, int[] s, int ho, int wo, boolean back) {
        int so = (int) src.offset();
        if (f32(src)) {
            PoolLoops.adaptive(storage(src).f32(), so, storage(dst).f32(), s[0] * s[1], s[2], s[3], ho, wo, back);
        } else {
            PoolLoops.adaptive(storage(src).f64(), so, storage(dst).f64(), s[0] * s[1], s[2], s[3], ho, wo, back);
        }
    }
}
