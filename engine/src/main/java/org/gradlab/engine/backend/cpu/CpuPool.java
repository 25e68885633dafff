package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.PoolKernels;

/**
 * CPU pool kernels: float64 runs the readable reference loops ({@link PoolReference}); float32
 * max pooling runs the fast paths beside them ({@link MaxPoolPair32} for the 2x2 stride-2
 * window, the planes split across threads in small pieces; {@link MaxPool32} for any other), tested against the
 * reference; float32 adaptive average pooling runs {@link AdaptivePool32}. float32 average
 * pooling and max-pool indices (off the training path) run the reference on a float64 copy.
 */
final class CpuPool implements PoolKernels {

    private static boolean f32(Tensor t) {
        return t.dtype() == DType.F32;
    }

    @Override
    public Tensor maxPool2dForward(Tensor x, Pool2dParams p) {
        x = dense(x);
        int[] s = x.shape();
        int ho = p.outH(s[2]);
        int wo = p.outW(s[3]);
        Tensor out = Tensor.uninitialized(x.dtype(), x.device(), s[0], s[1], ho, wo); // every path writes each element
        int xo = (int) x.offset();
        if (!f32(x)) {
            PoolReference.maxForward(storage(x).f64(), xo, storage(out).f64(), null, s[0] * s[1], s[2], s[3], ho, wo, p);
        } else if (isPair(p, s[2], s[3], ho, wo)) {
            long xa = OffHeap.floats(storage(x), xo, x.numel());
            long oa = OffHeap.floats(storage(out), 0, out.numel());
            int hw = s[2] * s[3];
            Parallel.forPieces(s[0] * s[1], Parallel.grain(hw), planesPerPiece(hw), (c, p0, p1) -> MaxPoolPair32.forward(
                    OffHeap.plus(xa, (long) p0 * hw), OffHeap.plus(oa, (long) p0 * ho * wo), p1 - p0, s[2], s[3], ho, wo));
        } else {
            int n = Math.toIntExact(x.numel());
            int m = Math.toIntExact(out.numel());
            float[] xs = HeapStage.load(0, storage(x).f32(), xo, n);
            float[] os = HeapStage.scratch(1, m);
            MaxPool32.forward(xs, os, s[0] * s[1], s[2], s[3], ho, wo, p);
            HeapStage.store(os, storage(out).f32(), 0, m);
        }
        return out;
    }

    /**
     * Input floats a piece of the 2x2 max-pool's planes covers: a few microseconds of work, so a
     * thread done with its chunk (or the caller, when a pool thread starts late) takes over the rest of
     * another chunk in small steps ({@link Parallel#forPieces}); planes are independent.
     */
    private static final int PIECE_INPUT_FLOATS = 4096;

    private static int planesPerPiece(int hw) {
        return Math.max(1, PIECE_INPUT_FLOATS / hw);
    }

    @Override
    public Tensor maxPool2dIndices(Tensor x, Pool2dParams p) {
        Tensor x64 = asF64(dense(x)); // exact: float32 to float64 keeps every value and its order
        int[] s = x.shape();
        int ho = p.outH(s[2]);
        int wo = p.outW(s[3]);
        Tensor idx = Tensor.uninitialized(DType.F64, x.device(), s[0], s[1], ho, wo); // written whole
        PoolReference.maxForward(storage(x64).f64(), (int) x64.offset(), null, storage(idx).f64(), s[0] * s[1], s[2], s[3],
                ho, wo, p);
        releaseCopy(x64, x);
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
        if (!f32(x)) {
            Tensor gx = Tensor.zeros(x.dtype(), x.device(), s);
            PoolReference.maxBackward(storage(g).f64(), go, storage(x).f64(), xo, storage(gx).f64(), s[0] * s[1], s[2], s[3],
                    ho, wo, p);
            return gx;
        }
        if (isPair(p, s[2], s[3], ho, wo)) {
            Tensor gx = Tensor.uninitialized(x.dtype(), x.device(), s); // MaxPoolPair32 writes every element
            Tensor o = dense(out);
            long in = (long) s[0] * s[1] * s[2] * s[3];
            long windows = (long) s[0] * s[1] * ho * wo; // the loops touch exactly these: checked before any raw access
            long ga = OffHeap.floats(storage(g), go, windows);
            long xa = OffHeap.floats(storage(x), xo, in);
            long oa = OffHeap.floats(storage(o), o.offset(), windows);
            long gxa = OffHeap.floats(storage(gx), 0, in);
            int hw = s[2] * s[3];
            int l = ho * wo;
            Parallel.forPieces(s[0] * s[1], Parallel.grain(hw), planesPerPiece(hw), (c, p0, p1) -> MaxPoolPair32.backward(
                    OffHeap.plus(ga, (long) p0 * l), OffHeap.plus(xa, (long) p0 * hw), OffHeap.plus(oa, (long) p0 * l),
                    OffHeap.plus(gxa, (long) p0 * hw), p1 - p0, s[2], s[3], ho, wo));
            return gx;
        }
        Tensor gx = Tensor.uninitialized(x.dtype(), x.device(), s); // stored whole from the staged array
        int n = Math.toIntExact(x.numel());
        float[] gs = HeapStage.load(0, storage(g).f32(), go, Math.toIntExact(g.numel()));
        float[] xs = HeapStage.load(1, storage(x).f32(), xo, n);
        float[] gxs = HeapStage.zeroed(2, n);
        MaxPool32.backward(gs, xs, gxs, s[0] * s[1], s[2], s[3], ho, wo, p);
        HeapStage.store(gxs, storage(gx).f32(), 0, n);
        return gx;
    }

    @Override
    public Tensor avgPool2dForward(Tensor x, Pool2dParams p, boolean countIncludePad) {
        Tensor x64 = asF64(dense(x));
        int[] s = x.shape();
        int ho = p.outH(s[2]);
        int wo = p.outW(s[3]);
        Tensor out = Tensor.uninitialized(DType.F64, x.device(), s[0], s[1], ho, wo); // written whole
        PoolReference.avg(storage(x64).f64(), (int) x64.offset(), storage(out).f64(), s[0] * s[1], s[2], s[3], ho, wo, p,
                countIncludePad, false);
        releaseCopy(x64, x);
        return asDtypeOf(out, x);
    }

    @Override
    public Tensor avgPool2dBackward(Tensor g, int[] xShape, Pool2dParams p, boolean countIncludePad) {
        Tensor g64 = asF64(dense(g));
        Tensor gx = Tensor.zeros(DType.F64, g.device(), xShape);
        PoolReference.avg(storage(g64).f64(), (int) g64.offset(), storage(gx).f64(), xShape[0] * xShape[1], xShape[2],
                xShape[3], g.shape(2), g.shape(3), p, countIncludePad, true);
        releaseCopy(g64, g);
        return asDtypeOf(gx, g);
    }

    @Override
    public Tensor adaptiveAvgPool2dForward(Tensor x, int outH, int outW) {
        if (f32(x)) {
            Tensor c = dense(x);
            int[] s = x.shape();
            Tensor out = Tensor.uninitialized(DType.F32, x.device(), s[0], s[1], outH, outW); // written whole
            AdaptivePool32.forward(storage(c).f32(), (int) c.offset(), storage(out).f32(), s[0] * s[1], s[2], s[3], outH, outW);
            return out;
        }
        Tensor x64 = asF64(dense(x));
        int[] s = x.shape();
        Tensor out = Tensor.uninitialized(DType.F64, x.device(), s[0], s[1], outH, outW); // written whole
        PoolReference.adaptive(storage(x64).f64(), (int) x64.offset(), storage(out).f64(), s[0] * s[1], s[2], s[3], outH,
                outW, false);
        releaseCopy(x64, x);
        return asDtypeOf(out, x);
    }

    @Override
    public Tensor adaptiveAvgPool2dBackward(Tensor g, int[] xShape) {
        if (f32(g)) {
            Tensor c = dense(g);
            Tensor gx = Tensor.uninitialized(DType.F32, g.device(), xShape); // written whole
            AdaptivePool32.backward(storage(c).f32(), (int) c.offset(), storage(gx).f32(), xShape[0] * xShape[1], xShape[2],
                    xShape[3], g.shape(2), g.shape(3));
            return gx;
        }
        Tensor g64 = asF64(dense(g));
        Tensor gx = Tensor.zeros(DType.F64, g.device(), xShape);
        PoolReference.adaptive(storage(g64).f64(), (int) g64.offset(), storage(gx).f64(), xShape[0] * xShape[1], xShape[2],
                xShape[3], g.shape(2), g.shape(3), true);
        releaseCopy(g64, g);
        return asDtypeOf(gx, g);
    }

    @Override
    public Tensor channelGateForward(Tensor x, Tensor gate) {
        if (!f32(x)) {
            return PoolKernels.super.channelGateForward(x, gate);
        }
        Tensor c = dense(x);
        Tensor gc = dense(gate);
        int[] s = x.shape();
        Tensor out = Tensor.uninitialized(DType.F32, x.device(), s); // written whole
        ChannelGate32.forward(storage(c).f32(), (int) c.offset(), storage(gc).f32(), (int) gc.offset(), storage(out).f32(),
                s[0] * s[1], s[2] * s[3]);
        return out;
    }

    @Override
    public GateGrads channelGateBackward(Tensor g, Tensor x, Tensor gate, boolean needX, boolean needLogits) {
        if (!f32(x)) {
            return PoolKernels.super.channelGateBackward(g, x, gate, needX, needLogits);
        }
        Tensor gd = dense(g);
        Tensor xd = dense(x);
        Tensor gated = dense(gate);
        int[] s = x.shape();
        Tensor gx = needX ? Tensor.uninitialized(DType.F32, x.device(), s) : null; // written whole
        Tensor gl = needLogits ? Tensor.uninitialized(DType.F32, x.device(), s[0], s[1], 1, 1) : null; // written whole
        ChannelGate32.backward(storage(gd).f32(), (int) gd.offset(), storage(xd).f32(), (int) xd.offset(),
                storage(gated).f32(), (int) gated.offset(), gx == null ? null : storage(gx).f32(),
                gl == null ? null : storage(gl).f32(), s[0] * s[1], s[2] * s[3]);
        return new GateGrads(gx, gl);
    }

    @Override
    public Tensor channelGateInputGradient(Tensor g, Tensor gate, Tensor spread) {
        return channelGateInputGradient(g, gate, spread, false);
    }

    /**
     * Into g where g is contiguous from its storage's start: {@link ChannelGate32#inputGradient}
     * loads each block of planes before it stores that block's dx at the same indices, each
     * thread on its own planes.
     */
    @Override
    public Tensor channelGateInputGradientIntoG(Tensor g, Tensor gate, Tensor spread) {
        return channelGateInputGradient(g, gate, spread, CpuBackend.writableOver(g, g.shape(), gate, spread));
    }

    private Tensor channelGateInputGradient(Tensor g, Tensor gate, Tensor spread, boolean intoG) {
        if (!f32(g)) {
            return PoolKernels.super.channelGateInputGradient(g, gate, spread);
        }
        Tensor gd = dense(g);
        Tensor gated = dense(gate);
        Tensor sd = dense(spread);
        int[] s = g.shape();
        Tensor gx = intoG ? gd : Tensor.uninitialized(DType.F32, g.device(), s); // written whole
        ChannelGate32.inputGradient(storage(gd).f32(), (int) gd.offset(), storage(gated).f32(), (int) gated.offset(),
                storage(sd).f32(), (int) sd.offset(), storage(gx).f32(), s[0] * s[1], s[2] * s[3]);
        return gx;
    }

    /** t as float64 (itself, or a copy). */
    private static Tensor asF64(Tensor t) {
        return t.dtype() == DType.F64 ? t : t.backend().elementwise().cast(t, DType.F64);
    }

    /** The float64 result r in like's dtype: r itself, or a rounded copy (r is then released). */
    private static Tensor asDtypeOf(Tensor r, Tensor like) {
        if (like.dtype() == DType.F64) {
            return r;
        }
        Tensor out = r.backend().elementwise().cast(r, like.dtype());
        r.release();
        return out;
    }

    /** Releases the float64 copy made of {@code original} (nothing when it was float64 already). */
    private static void releaseCopy(Tensor f64, Tensor original) {
        if (original.dtype() != DType.F64) {
            f64.release();
        }
    }

    /** The 2x2, stride 2, unpadded window every challenge CNN uses: no bounds per window. */
    static boolean isPair(Pool2dParams p, int h, int w, int ho, int wo) {
        return p.kH() == 2 && p.kW() == 2 && p.strideH() == 2 && p.strideW() == 2 && p.padH() == 0 && p.padW() == 0
                && 2 * ho <= h && 2 * wo <= w;
    }
}
