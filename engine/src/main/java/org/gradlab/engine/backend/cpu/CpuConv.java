package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.natives.Blas;
import org.gradlab.natives.NativeBuffer;

/**
 * CPU conv: im2col + OpenBLAS GEMM, per sample and group, writing straight into NCHW memory.
 * With K = Cin/G*kh*kw and L = Ho*Wo: forward out[n,g] (Cout/G x L) = W_g (Cout/G x K) col (K x L);
 * backward-data col = W_g^T g[n,g], then col2im; backward-weight dW_g += g[n,g] col^T (beta 1).
 * A 1x1 stride-1 unpadded conv uses x itself as col. Depthwise convs (Cin/G = 1) use direct loops.
 * The forward bias is written into out[n] first and GEMM accumulates onto it (beta 1).
 * One scratch set per call (off-heap col, float32 heap staging arrays), freed before returning;
 * nothing is allocated per sample. float32 convs with small output planes run several samples
 * per GEMM ({@link ConvBlocks32}).
 */
final class CpuConv implements ConvKernels {

    private static Tensor dense(Tensor t) {
        return t.isContiguous() ? t : t.backend().elementwise().contiguous(t);
    }

    /** Everything a pass needs about one conv. */
    record Plan(int n, int cin, int cout, int groups, int cinG, int coutG, int k, int l, Im2col.Geo geo) {
        static Plan of(int[] xs, int[] ws, Conv2dParams p) {
            int ho = p.outH(xs[2], ws[2]);
            int wo = p.outW(xs[3], ws[3]);
            Im2col.Geo g = new Im2col.Geo(xs[2], xs[3], ws[2], ws[3], p.strideH(), p.strideW(), p.padH(), p.padW(), ho, wo);
            int cinG = xs[1] / p.groups();
            return new Plan(xs[0], xs[1], ws[0], p.groups(), cinG, ws[0] / p.groups(), cinG * ws[2] * ws[3], ho * wo, g);
        }

        boolean direct() {
            return geo.kh() == 1 && geo.kw() == 1 && geo.sh() == 1 && geo.sw() == 1 && geo.ph() == 0 && geo.pw() == 0;
        }

        boolean depthwise() {
            return cinG == 1 && !direct();
        }

        int hw() {
            return geo.h() * geo.w();
        }
    }

    private static void gemm(DType dt, boolean ta, boolean tb, int m, int n, int k, NativeBuffer a, long offA, int lda,
                             NativeBuffer b, long offB, int ldb, double beta, NativeBuffer c, long offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (dt == DType.F32) {
            Blas.sgemm(ta, tb, m, n, k, 1f, a, offA, lda, b, offB, ldb, (float) beta, c, offC, ldc);
        } else {
            Blas.dgemm(ta, tb, m, n, k, 1.0, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        }
    }

    /**
     * Per-call scratch: the off-heap col matrix (K x L) GEMM reads or writes and, for float32,
     * heap staging arrays for one sample-group of x and of col (filled by one bulk copy each)
     * and a zero-bordered padded copy of x.
     */
    private static final class Scratch implements AutoCloseable {
        final CpuStorage col;
        final float[] xs;
        final float[] cs;
        final float[] pad;

        /** {@code ownCol = false}: the caller passes kept columns, so no col matrix of its own is needed. */
        Scratch(DType dt, Plan p, boolean ownCol) {
            boolean need = !p.direct() && !p.depthwise();
            // im2col or a beta-0 GEMM writes it whole
            col = need && ownCol ? new CpuStorage(dt, (long) p.k * p.l, false) : null;
            boolean f32 = need && dt == DType.F32;
            // per-thread arrays reused across calls (HeapStage): no allocation, no zeroing per call
            xs = f32 ? HeapStage.scratch(0, p.cinG * p.hw()) : null;
            cs = f32 ? HeapStage.scratch(2, p.k * p.l) : null;
            pad = f32 ? Im2col.zeroedPad(p.cinG, p.geo) : null;
        }

        /** col = im2col of the sample-group of x starting at {@code off}. */
        void im2col(CpuStorage x, long off, Plan p) {
            im2col(x, off, p, col, 0);
        }

        /** dst from {@code dstOff} (K x L, float32 or float64 as x) = im2col of the sample-group of x at {@code off}. */
        void im2col(CpuStorage x, long off, Plan p, CpuStorage dst, long dstOff) {
            if (xs != null) {
                x.f32().get((int) off, xs, 0, p.cinG * p.hw());
                Im2col.im2col(xs, p.cinG, p.geo, pad, cs);
                dst.f32().put((int) dstOff, cs, 0, p.k * p.l);
            } else {
                Im2col.im2col(x.f64(), off, p.cinG, p.geo, col.f64());
            }
        }

        /** The sample-group of gx starting at {@code off} (zero before) = col2im of col. */
        void col2im(CpuStorage gx, long off, Plan p) {
            if (xs != null) {
                col.f32().get(0, cs, 0, p.k * p.l);
                Im2col.col2im(cs, p.cinG, p.geo, pad, xs);
                gx.f32().put((int) off, xs, 0, p.cinG * p.hw());
            } else {
                Im2col.col2im(col.f64(), p.cinG, p.geo, gx.f64(), off);
            }
        }

        @Override
        public void close() {
            if (col != null) {
                col.close();
            }
        }
    }

    /**
     * Largest im2col matrix (floats, K x N*L) the forward keeps for the filter gradient:
     * {@code -Dgradlab.keepColumns=0} turns keeping off (for benchmarks).
     */
    private static final long KEEP_COLUMNS = Long.getLong("gradlab.keepColumns", 8L << 20);

    @Override
    public Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dParams cp) {
        return forward(x, w, bias, cp, null);
    }

    /**
     * Keeps the float32 im2col matrix of x (all samples; the block of samples [n0, n0+nb) is the
     * K x nb*L matrix at n0*K*L) when it has at most {@link #KEEP_COLUMNS} floats: the filter
     * gradient then skips a second im2col of x and its copy to off-heap memory.
     */
    @Override
    public ConvForward conv2dForwardKeeping(Tensor x, Tensor w, Tensor bias, Conv2dParams cp) {
        Plan p = Plan.of(x.shape(), w.shape(), cp);
        long floats = (long) p.k * p.n * p.l;
        boolean keep = x.dtype() == DType.F32 && p.groups == 1 && !p.direct() && !p.depthwise() && floats > 0
                && floats <= KEEP_COLUMNS;
        Tensor cols = keep ? Tensor.uninitialized(DType.F32, x.device(), (int) floats) : null; // im2col writes it whole
        return new ConvForward(forward(x, w, bias, cp, cols), cols);
    }

    private Tensor forward(Tensor x, Tensor w, Tensor bias, Conv2dParams cp, Tensor keep) {
        x = dense(x);
        w = dense(w);
        Plan p = Plan.of(x.shape(), w.shape(), cp);
        DType dt = x.dtype();
        // every path but the depthwise loops writes each output element (GEMM beta 0, or bias then beta 1)
        Tensor out = p.depthwise() ? Tensor.zeros(dt, x.device(), p.n, p.cout, p.geo.ho(), p.geo.wo())
                : Tensor.uninitialized(dt, x.device(), p.n, p.cout, p.geo.ho(), p.geo.wo());
        if (out.numel() == 0) {
            return out;
        }
        CpuStorage sx = storage(x);
        CpuStorage sw = storage(w);
        CpuStorage so = storage(out);
        int nb = blockSamples(dt, p);
        if (nb > 1) {
            float[] b = bias == null ? null : ChannelLoops32.toFloats(dense(bias).toDoubleArray());
            ConvBlocks32.forward(sx, x.offset(), sw, w.offset(), b, so, keep == null ? null : storage(keep), p, nb);
            return out;
        }
        if (p.depthwise()) {
            Depthwise.forward(sx, x.offset(), sw, w.offset(), so, p.n, p.cin, p.coutG, p.geo);
        } else {
            double beta = bias == null ? 0 : 1;
            Tensor b = bias == null ? null : dense(bias);
            float[] plane = bias != null && dt == DType.F32 ? biasPlane(b, p.cout, p.l) : null;
            try (Scratch ws = new Scratch(dt, p, keep == null)) {
                for (int n = 0; n < p.n; n++) {
                    if (b != null) {
                        fillBias(so, b, n, p.cout, p.l, plane); // GEMM then adds onto it (beta 1)
                    }
                    for (int g = 0; g < p.groups; g++) {
                        long xOff = x.offset() + ((long) n * p.cin + (long) g * p.cinG) * p.hw();
                        long oOff = ((long) n * p.cout + (long) g * p.coutG) * p.l;
                        long wOff = w.offset() + (long) g * p.coutG * p.k;
                        if (p.direct()) {
                            gemm(dt, false, false, p.coutG, p.l, p.k, sw.buffer(), wOff, p.k, sx.buffer(), xOff, p.l, beta,
                                    so.buffer(), oOff, p.l);
                        } else {
                            CpuStorage col = keep == null ? ws.col : storage(keep); // keep: groups == 1
                            long colOff = keep == null ? 0 : (long) n * p.k * p.l;
                            ws.im2col(sx, xOff, p, col, colOff);
                            gemm(dt, false, false, p.coutG, p.l, p.k, sw.buffer(), wOff, p.k, col.buffer(), colOff, p.l, beta,
                                    so.buffer(), oOff, p.l);
                        }
                    }
                }
            }
            return out;
        }
        for (int n = 0; bias != null && n < p.n; n++) {
            addBias(so, dense(bias), n, p.cout, p.l);
        }
        return out;
    }

    /** Samples per GEMM for the float32 block path ({@link ConvBlocks32}), or 1 for the per-sample path. */
    private static int blockSamples(DType dt, Plan p) {
        return dt == DType.F32 && p.groups == 1 && !p.direct() && !p.depthwise() ? ConvBlocks32.samplesPerBlock(p) : 1;
    }

    /** One sample's output filled with the bias (Cout x L, row c = bias[c]), built once per call. */
    private static float[] biasPlane(Tensor bias, int c, int l) {
        float[] plane = new float[c * l];
        double[] b = bias.toDoubleArray();
        for (int i = 0; i < c; i++) {
            java.util.Arrays.fill(plane, i * l, (i + 1) * l, (float) b[i]);
        }
        return plane;
    }

    /** out[n, c, :] = bias[c] for one sample n (float32: one bulk copy of the bias plane). */
    private static void fillBias(CpuStorage so, Tensor bias, int n, int c, int l, float[] plane) {
        if (plane != null) {
            so.f32().put(n * c * l, plane, 0, c * l);
            return;
        }
        CpuStorage sb = storage(bias);
        int bo = (int) bias.offset();
        for (int i = 0; i < c; i++) {
            double v = sb.f64().get(bo + i);
            for (int j = (n * c + i) * l, e = j + l; j < e; j++) {
                so.f64().put(j, v);
            }
        }
    }

    /** out[n, c, :] += bias[c] for one sample n. */
    private static void addBias(CpuStorage so, Tensor bias, int n, int c, int l) {
        CpuStorage sb = storage(bias);
        long bo = bias.offset();
        if (so.dtype() == DType.F32) {
            FloatBuffer o = so.f32();
            FloatBuffer b = sb.f32();
            for (int i = n * c; i < (n + 1) * c; i++) {
                float v = b.get((int) bo + i % c);
                for (int j = i * l, e = j + l; j < e; j++) {
                    o.put(j, o.get(j) + v);
                }
            }
        } else {
            DoubleBuffer o = so.f64();
            DoubleBuffer b = sb.f64();
            for (int i = n * c; i < (n + 1) * c; i++) {
                double v = b.get((int) bo + i % c);
                for (int j = i * l, e = j + l; j < e; j++) {
                    o.put(j, o.get(j) + v);
                }
            }
        }
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gOut, Tensor w, int[] xShape, Conv2dParams cp) {
        gOut = dense(gOut);
        w = dense(w);
        Plan p = Plan.of(xShape, w.shape(), cp);
        DType dt = gOut.dtype();
        // float32 im2col paths write each sample's gx whole; float64 col2im and depthwise accumulate
        Tensor gx = dt == DType.F32 && !p.depthwise() ? Tensor.uninitialized(dt, gOut.device(), xShape)
                : Tensor.zeros(dt, gOut.device(), xShape);
        if (gx.numel() == 0 || gOut.numel() == 0) {
            return gx;
        }
        CpuStorage sg = storage(gOut);
        CpuStorage sw = storage(w);
        CpuStorage sx = storage(gx);
        int nb = blockSamples(dt, p);
        if (nb > 1) {
            ConvBlocks32.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p, nb);
            return gx;
        }
        if (p.depthwise()) {
            Depthwise.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p.n, p.cin, p.coutG, p.geo);
            return gx;
        }
        try (Scratch ws = new Scratch(dt, p, true)) {
            for (int n = 0; n < p.n; n++) {
                for (int g = 0; g < p.groups; g++) {
                    long xOff = ((long) n * p.cin + (long) g * p.cinG) * p.hw();
                    long gOff = gOut.offset() + ((long) n * p.cout + (long) g * p.coutG) * p.l;
                    long wOff = w.offset() + (long) g * p.coutG * p.k;
                    if (p.direct()) {
                        gemm(dt, true, false, p.k, p.l, p.coutG, sw.buffer(), wOff, p.k, sg.buffer(), gOff, p.l, 0,
                                sx.buffer(), xOff, p.l);
                    } else {
                        gemm(dt, true, false, p.k, p.l, p.coutG, sw.buffer(), wOff, p.k, sg.buffer(), gOff, p.l, 0,
                                ws.col.buffer(), 0, p.l);
                        ws.col2im(sx, xOff, p);
                    }
                }
            }
        }
        return gx;
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor gOut, Tensor x, int[] wShape, Conv2dParams cp) {
        return conv2dBackwardWeight(gOut, x, null, wShape, cp);
    }

    @Override
    public Tensor conv2dBackwardWeight(Tensor gOut, Tensor x, Tensor columns, int[] wShape, Conv2dParams cp) {
        gOut = dense(gOut);
        x = dense(x);
        Plan p = Plan.of(x.shape(), wShape, cp);
        DType dt = gOut.dtype();
        Tensor gw = Tensor.zeros(dt, gOut.device(), wShape);
        if (gw.numel() == 0 || gOut.numel() == 0) {
            return gw;
        }
        CpuStorage sg = storage(gOut);
        CpuStorage sx = storage(x);
        CpuStorage sw = storage(gw);
        if (columns != null && columns.numel() != (long) p.k * p.n * p.l) {
            throw new IllegalArgumentException("conv2d backward: kept columns have " + columns.numel() + " elements, expected "
                    + (long) p.k * p.n * p.l + " (K x N*L for input " + org.gradlab.engine.Shape.str(x.shape()) + ")");
        }
        CpuStorage kept = columns == null ? null : storage(dense(columns));
        int nb = blockSamples(dt, p);
        if (nb > 1) {
            ConvBlocks32.backwardWeight(sg, gOut.offset(), sx, x.offset(), kept, sw, p, nb);
            return gw;
        }
        if (p.depthwise()) {
            Depthwise.backwardWeight(sg, gOut.offset(), sx, x.offset(), sw, p.n, p.cin, p.coutG, p.geo);
            return gw;
        }
        try (Scratch ws = new Scratch(dt, p, kept == null)) {
            for (int n = 0; n < p.n; n++) {
                for (int g = 0; g < p.groups; g++) {
                    long xOff = x.offset() + ((long) n * p.cin + (long) g * p.cinG) * p.hw();
                    long gOff = gOut.offset() + ((long) n * p.cout + (long) g * p.coutG) * p.l;
                    long wOff = (long) g * p.coutG * p.k;
                    if (p.direct()) {
                        gemm(dt, false, true, p.coutG, p.k, p.l, sg.buffer(), gOff, p.l, sx.buffer(), xOff, p.l, 1,
                                sw.buffer(), wOff, p.k);
                    } else {
                        CpuStorage col = kept == null ? ws.col : kept; // kept: groups == 1, the forward's im2col of sample n
                        long colOff = kept == null ? 0 : (long) n * p.k * p.l;
                        if (kept == null) {
                            ws.im2col(sx, xOff, p);
                        }
                        gemm(dt, false, true, p.coutG, p.k, p.l, sg.buffer(), gOff, p.l, col.buffer(), colOff, p.l, 1,
                                sw.buffer(), wOff, p.k);
                    }
                }
            }
        }
        return gw;
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor gOut) {
        gOut = dense(gOut);
        int n = gOut.shape(0);
        int c = gOut.shape(1);
        int l = gOut.shape(2) * gOut.shape(3);
        Tensor gb = Tensor.zeros(gOut.dtype(), gOut.device(), c);
        CpuStorage sg = storage(gOut);
        CpuStorage sb = storage(gb);
        int off = (int) gOut.offset();
        if (gOut.dtype() == DType.F32) {
            float[] ga = HeapStage.load(0, sg.f32(), off, n * c * l);
            double[] sums = new double[c];
            ChannelLoops32.channelSums(ga, n, c, l, sums);
            for (int ch = 0; ch < c; ch++) {
                sb.set(ch, sums[ch]);
            }
            return gb;
        }
        DoubleBuffer d = sg.f64();
        for (int i = 0; i < n * c; i++) {
            double s = 0;
            for (int j = off + i * l, e = j + l; j < e; j++) {
                s += d.get(j);
            }
            sb.set(i % c, sb.get(i % c) + s);
        }
        return gb;
    }
}
