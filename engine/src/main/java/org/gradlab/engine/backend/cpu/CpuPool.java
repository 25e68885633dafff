package org.gradlab.engine.backend.cpu;

import java.nio.FloatBuffer;

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
        Tensor out = f32(x) ? Tensor.uninitialized(x.dtype(), x.device(), s[0], s[1], ho, wo) // stored whole
                : Tensor.zeros(x.dtype(), x.device(), s[0], s[1], ho, wo);
        int xo = (int) x.offset();
        if (f32(x) && isPair(p, s[2], s[3], ho, wo)) {
            MaxPoolPair32.forward(OffHeap.floats(storage(x), xo, x.numel()), OffHeap.floats(storage(out), 0, out.numel()),
                    s[0] * s[1], s[2], s[3], ho, wo);
        } else if (f32(x)) {
            int n = Math.toIntExact(x.numel());
            int m = Math.toIntExact(out.numel());
            float[] xs = HeapStage.load(0, storage(x).f32(), xo, n);
            float[] os = HeapStage.scratch(1, m);
            maxForwardF32(xs, os, s[0] * s[1], s[2], s[3], ho, wo, p);
            HeapStage.store(os, storage(out).f32(), 0, m);
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
        Tensor idx = Tensor.zeros(DType.F64, x.device(), s[0], s[1], ho, wo);
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
        int ho = g.shape(2);
        int wo = g.shape(3);
        int go = (int) g.offset();
        int xo = (int) x.offset();
        if (f32(x) && isPair(p, s[2], s[3], ho, wo)) {
            boolean covered = s[2] == 2 * ho && s[3] == 2 * wo; // then the windows write every element
            Tensor gx = covered ? Tensor.uninitialized(x.dtype(), x.device(), s) : Tensor.zeros(x.dtype(), x.device(), s);
            Tensor o = dense(out);
            long in = (long) s[0] * s[1] * s[2] * s[3];
            long windows = (long) s[0] * s[1] * ho * wo; // the loops touch exactly these: checked before any raw access
            MaxPoolPair32.backward(OffHeap.floats(storage(g), go, windows), OffHeap.floats(storage(x), xo, in),
                    OffHeap.floats(storage(o), o.offset(), windows), OffHeap.floats(storage(gx), 0, in),
                    s[0] * s[1], s[2], s[3], ho, wo);
            return gx;
        }
        Tensor gx = f32(x) ? Tensor.uninitialized(x.dtype(), x.device(), s) // stored whole from the staged array
                : Tensor.zeros(x.dtype(), x.device(), s);
        if (f32(x)) {
            int n = Math.toIntExact(x.numel());
            float[] gs = HeapStage.load(0, storage(g).f32(), go, Math.toIntExact(g.numel()));
            float[] xs = HeapStage.load(1, storage(x).f32(), xo, n);
            float[] gxs = HeapStage.scratch(2, n);
            java.util.Arrays.fill(gxs, 0, n, 0f);
            maxBackwardF32(gs, xs, gxs, s[0] * s[1], s[2], s[3], ho, wo, p);
            HeapStage.store(gxs, storage(gx).f32(), 0, n);
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
        Tensor out = Tensor.zeros(x.dtype(), x.device(), s[0], s[1], ho, wo);
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
        Tensor out = Tensor.zeros(x.dtype(), x.device(), s[0], s[1], outH, outW);
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

    /** The 2x2, stride 2, unpadded window every challenge CNN uses: no bounds per window. */
    private static boolean isPair(Pool2dParams p, int h, int w, int ho, int wo) {
        return p.kH() == 2 && p.kW() == 2 && p.strideH() == 2 && p.strideW() == 2 && p.padH() == 0 && p.padW() == 0
                && 2 * ho <= h && 2 * wo <= w;
    }

    /**
     * Float32 max pool on staged arrays. NOTE: {@code Math.max} keeps the loop branch-free and
     * propagates NaN, as PyTorch does; padding never enters a window (windows are clipped).
     */
    private static void maxForwardF32(float[] x, float[] out, int planes, int h, int w, int ho, int wo, Pool2dParams p) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int op = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    float bv = Float.NEGATIVE_INFINITY;
                    for (int ih = hs; ih < he; ih++) {
                        int row = xp + ih * w;
                        for (int iw = ws; iw < we; iw++) {
                            bv = Math.max(bv, x[row + iw]);
                        }
                    }
                    out[op + oh * wo + ow] = bv;
                }
            }
        }
    }

    /** Routes g to the FIRST maximum of each window (row-major; NaN: see {@link #beats}); general windows. */
    private static void maxBackwardF32(float[] g, float[] x, float[] gx, int planes, int h, int w, int ho,
                                       int wo, Pool2dParams p) {
        int hw = h * w;
        for (int pl = 0; pl < planes; pl++) {
            int xp = pl * hw;
            int gp = pl * ho * wo;
            for (int oh = 0; oh < ho; oh++) {
                int hs = Math.max(oh * p.strideH() - p.padH(), 0);
                int he = Math.min(oh * p.strideH() - p.padH() + p.kH(), h);
                for (int ow = 0; ow < wo; ow++) {
                    int ws = Math.max(ow * p.strideW() - p.padW(), 0);
                    int we = Math.min(ow * p.strideW() - p.padW() + p.kW(), w);
                    int best = xp + hs * w + ws;
                    float bv = Float.NEGATIVE_INFINITY;
                    for (int ih = hs; ih < he; ih++) {
                        int row = xp + ih * w;
                        for (int iw = ws; iw < we; iw++) {
                            float v = x[row + iw];
                            boolean take = beats(v, bv);
                            best = take ? row + iw : best;
                            bv = take ? v : bv;
                        }
                    }
                    gx[best] += g[gp + oh * wo + ow];
                }
            }
        }
    }

    /**
     * Whether a later window element v replaces the current maximum bv: PyTorch's
     * {@code val > maxval || isnan(val)}. NOTE: so among equal maxima the FIRST wins, and among
     * NaNs the LAST one does.
     */
    private static boolean beats(float v, float bv) {
        return v > bv || v != v;
    }
}
