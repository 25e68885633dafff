package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;

/**
 * CPU conv: picks the kernel for each call. float64 runs the readable reference,
 * {@link ConvReference} (im2col + GEMM per sample and group); float32 runs one of the fast paths
 * beside it, each tested against the reference (ConvF32PathTest):
 * <ul>
 *   <li>{@link Path32#SAMPLE_BLOCKS}: groups 1, 32+ output channels, small output planes:
 *       several samples per GEMM ({@link ConvBlocks32});
 *   <li>{@link Path32#DEPTHWISE}: one input channel per group: direct window loops
 *       ({@link Depthwise32});
 *   <li>{@link Path32#ONE_BY_ONE_BLOCKS}: a 1x1 stride-1 unpadded conv on a small plane: several
 *       samples per GEMM, channel-major ({@link OneByOneBlocks32});
 *   <li>{@link Path32#ONE_BY_ONE}: any other 1x1 stride-1 unpadded conv: x itself is the col matrix
 *       ({@link ConvSamples32});
 *   <li>{@link Path32#WINOGRAD}: 3x3, stride 1, padding 0 or 1, groups 1, 32+ channels:
 *       Winograd F(2x2, 3x3) or F(4x4, 3x3) ({@link WinogradTile}) for the forward, backward-data
 *       ({@link Winograd32}) and the filter gradient ({@link WinogradFilterGradient32}), both
 *       gradients in one pass that transforms the output gradient once ({@link WinogradBackward32});
 *   <li>{@link Path32#STRIDED}: groups 1, stride above 1, overlapping windows, padding: im2col +
 *       GEMM over blocks of samples without the taps that land in the padding ({@link ConvStrided32});
 *   <li>{@link Path32#PER_SAMPLE}: everything else: staged im2col + GEMM per sample and group
 *       ({@link ConvSamples32}).
 * </ul>
 */
final class CpuConv implements ConvKernels {

    /** The float32 paths, see the class comment; {@link #path32} chooses. */
    enum Path32 { SAMPLE_BLOCKS, DEPTHWISE, ONE_BY_ONE_BLOCKS, ONE_BY_ONE, WINOGRAD, STRIDED, PER_SAMPLE }

    /**
     * {@code -Dgradlab.conv32.winograd=false} keeps 3x3 convs on im2col + GEMM (for benchmarks).
     */
    private static final boolean WINOGRAD = !"false".equalsIgnoreCase(System.getProperty("gradlab.conv32.winograd"));
    /**
     * {@code -Dgradlab.conv32.winogradFilter=false} sends the filter gradient of a Winograd conv to
     * im2col + GEMM ({@link #im2colPath32}) instead (for benchmarks).
     */
    private static final boolean WINOGRAD_FILTER = !"false".equalsIgnoreCase(System.getProperty("gradlab.conv32.winogradFilter"));

    /**
     * Winograd takes a 3x3 stride-1 conv only with at least this many input AND output channels
     * ({@code -Dgradlab.winogradMinChannels}), and with at least {@link #WINOGRAD_MIN_CHANNELS_ODD}
     * input channels when the output plane has an odd side (its last tile row or column is partly
     * wasted). Measured against im2col + GEMM (bench/README.md, "Winograd F(2x2, 3x3)" and
     * "Winograd F(4x4, 3x3)"): ResNet-18's stride-1 convs (64 at 28x28, 128 at 14x14, 256 at 7x7,
     * 512 at 4x4) and exp 08's 32->64 at 14x14 and 64->128 at 7x7 gain; a Cin = 3 first conv
     * loses, because the transforms outweigh the multiply-adds saved when a GEMM has few channels.
     * The filter gradient needs {@link #WINOGRAD_FILTER_MIN_CHANNELS}: exp 08's 32->64 at 14x14
     * measured 3.6-3.9 ms on F(2x2) against 3.4-3.6 on im2col.
     */
    private static final int WINOGRAD_MIN_CHANNELS = Integer.getInteger("gradlab.winogradMinChannels", 32);
    private static final int WINOGRAD_MIN_CHANNELS_ODD = Integer.getInteger("gradlab.winogradMinChannelsOdd", 64);
    /** The filter gradient takes Winograd only with at least this many input and output channels ({@code -Dgradlab.winogradFilterMinChannels}). */
    private static final int WINOGRAD_FILTER_MIN_CHANNELS = Integer.getInteger("gradlab.winogradFilterMinChannels", 64);
    /** {@code -Dgradlab.conv32.winograd4x4=false} runs every Winograd conv as F(2x2, 3x3), never F(4x4, 3x3). */
    private static final boolean WINOGRAD_4X4 = !"false".equalsIgnoreCase(System.getProperty("gradlab.conv32.winograd4x4"));
    /** F(4x4, 3x3) takes a Winograd conv with at most this many input and output channels ({@code -Dgradlab.winograd4x4MaxChannels}). */
    private static final int WINOGRAD_4X4_MAX_CHANNELS = Integer.getInteger("gradlab.winograd4x4MaxChannels", 256);
    /**
     * F(4x4, 3x3) also takes a plane its tiles cover with more waste than F(2x2)'s (a side of
     * 4k + 1 or 4k + 2, e.g. 14) when the conv has at least this many input and output channels
     * ({@code -Dgradlab.winograd4x4WasteMinChannels}; above {@link #WINOGRAD_4X4_MAX_CHANNELS} F(2x2) stays)
     * and F(4x4)'s tiles cover at most {@link #WINOGRAD_4X4_MAX_COVER_RATIO} times the outputs F(2x2)'s cover.
     */
    private static final int WINOGRAD_4X4_WASTE_MIN_CHANNELS = Integer.getInteger("gradlab.winograd4x4WasteMinChannels", 64);
    /**
     * At most this many times F(2x2)'s covered outputs for F(4x4) on a wasted plane: 14x14 (16x16
     * against 14x14, 1.31) measured faster; 10x10 (1.44), 6x6 (1.78) and 2x2 (4) unmeasured, kept on F(2x2).
     */
    private static final double WINOGRAD_4X4_MAX_COVER_RATIO = 1.35;

    /**
     * When both gradients are wanted, a Winograd conv with at least this many input and output
     * channels runs them as one pass that transforms the output gradient once
     * ({@link WinogradBackward32}; {@code -Dgradlab.winogradSharedMinChannels}): its filter gradient
     * then costs less than alone, so the floor is lower than {@link #WINOGRAD_FILTER_MIN_CHANNELS}.
     * {@code -Dgradlab.conv32.winogradShared=false} keeps the two passes apart (for benchmarks).
     */
    private static final int WINOGRAD_SHARED_MIN_CHANNELS = Integer.getInteger("gradlab.winogradSharedMinChannels", 32);
    private static final boolean WINOGRAD_SHARED = !"false".equalsIgnoreCase(System.getProperty("gradlab.conv32.winogradShared"));

    /** Whether both gradients of a float32 conv with this plan run as one Winograd pass ({@link #WINOGRAD_SHARED_MIN_CHANNELS}). */
    static boolean sharedWinograd(Plan p) {
        return WINOGRAD_SHARED && WINOGRAD_FILTER && winograd(p) && Math.min(p.cin, p.cout) >= WINOGRAD_SHARED_MIN_CHANNELS;
    }

    /** The float32 path a conv with this plan takes for the forward and the input gradient. */
    static Path32 path32(Plan p) {
        return winograd(p) ? Path32.WINOGRAD : im2colPath32(p);
    }

    /** Whether Winograd takes this conv (see the class comment); {@link #winogradTile} says which. */
    private static boolean winograd(Plan p) {
        Im2col.Geo g = p.geo;
        boolean shape = p.groups == 1 && g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.ph() <= 1
                && g.pw() <= 1 && g.ho() > 0 && g.wo() > 0;
        boolean odd = g.ho() % 2 == 1 || g.wo() % 2 == 1;
        return WINOGRAD && shape && Math.min(p.cin, p.cout) >= WINOGRAD_MIN_CHANNELS
                && (!odd || p.cin >= WINOGRAD_MIN_CHANNELS_ODD);
    }

    /**
     * The Winograd algorithm a conv on {@link Path32#WINOGRAD} runs, forward, backward-data and
     * filter gradient alike: F(4x4, 3x3) where the conv has at most {@link #WINOGRAD_4X4_MAX_CHANNELS}
     * channels and either its 4x4 tiles cover no more of the output plane than F(2x2)'s or it has
     * at least {@link #WINOGRAD_4X4_WASTE_MIN_CHANNELS} and wastes little (a side of 14, 13, 18, not
     * 10 or 2; {@link #WINOGRAD_4X4_MAX_COVER_RATIO}), else F(2x2).
     * Measured (bench/README.md, "Winograd F(4x4, 3x3)" and its second pass): F(4x4) gains on
     * 64->128 at 7x7 (exp 08), 64 at 28x28, 128 at 14x14 (16x16 covered instead of 14x14: -7 %)
     * and 256 at 7x7 (ResNet-18), 64 to 256 channels at 14x14 by 3-13 %; exp 08's 32->64 at 14x14
     * is 3-6 % slower on it (its transforms outweigh the GEMMs it saves); at 512 channels and 4x4
     * within 4 %, so the more accurate F(2x2) stays.
     */
    static WinogradTile winogradTile(Plan p) {
        Im2col.Geo g = p.geo;
        // 1 exactly where F(4x4)'s tiles cover no more of the plane than F(2x2)'s: sides of 4k or 4k - 1 outputs
        double coverRatio = (double) roundUp(g.ho(), 4) * roundUp(g.wo(), 4) / ((double) roundUp(g.ho(), 2) * roundUp(g.wo(), 2));
        boolean fits = Math.max(p.cin, p.cout) <= WINOGRAD_4X4_MAX_CHANNELS && (coverRatio == 1
                || Math.min(p.cin, p.cout) >= WINOGRAD_4X4_WASTE_MIN_CHANNELS && coverRatio <= WINOGRAD_4X4_MAX_COVER_RATIO);
        return WINOGRAD_4X4 && fits ? WinogradTile.F4X4 : WinogradTile.F2X2;
    }

    private static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** The float32 path the filter gradient of a conv with this plan takes. */
    static Path32 filterPath32(Plan p) {
        return WINOGRAD_FILTER && winograd(p) && Math.min(p.cin, p.cout) >= WINOGRAD_FILTER_MIN_CHANNELS ? Path32.WINOGRAD
                : im2colPath32(p);
    }

    /** The im2col path a conv takes where Winograd does not: never {@link Path32#WINOGRAD}. */
    static Path32 im2colPath32(Plan p) {
        if (p.direct()) {
            return OneByOneBlocks32.takes(p) ? Path32.ONE_BY_ONE_BLOCKS : Path32.ONE_BY_ONE;
        }
        if (p.depthwise()) {
            return Path32.DEPTHWISE;
        }
        if (ConvStrided32.applies(p)) {
            return Path32.STRIDED;
        }
        return p.groups() == 1 && ConvBlocks32.samplesPerBlock(p) > 1 ? Path32.SAMPLE_BLOCKS : Path32.PER_SAMPLE;
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

        /** NOTE: a patchify conv (ViT's patch embedding on one channel) is a GEMM, not depthwise. */
        boolean depthwise() {
            return cinG == 1 && !direct() && !patchify();
        }

        /** One group, kernel = stride, no padding: non-overlapping patches, one GEMM per block of samples. */
        boolean patchify() {
            return groups == 1 && geo.kh() == geo.sh() && geo.kw() == geo.sw() && geo.ph() == 0 && geo.pw() == 0;
        }

        int hw() {
            return geo.h() * geo.w();
        }
    }

    /**
     * Largest im2col matrix (floats, K x N*L) the forward keeps for the filter gradient:
     * {@code -Dgradlab.keepColumns=0} turns keeping off (for benchmarks). NOTE: 2 Mi floats keeps
     * every column matrix of the small CNNs (exp 08's largest: 1.8 Mi) but none of ResNet-18's at
     * batch 64 (4.7-7.2 Mi each, ~230 MB together at the end of the forward pass: most of what put
     * exp 25's peak memory above PyTorch's; bench/README.md, issue 18).
     */
    private static final long KEEP_COLUMNS = Long.getLong("gradlab.keepColumns", 2L << 20);

    /**
     * Largest col matrix a {@link Path32#PER_SAMPLE} conv keeps ({@code -Dgradlab.keepColumnsPerSample}),
     * 1 MB: one L2. NOTE: per sample, the filter gradient redoes a sample's im2col into a scratch
     * matrix that stays in L2 for its GEMM, which costs less than writing the whole batch's columns
     * to memory in the forward pass and reading them back (exp 08's 32->64 and 3->32 convs on the
     * Zen 4 host: 0.6-0.8 ms less per step without keeping, bench/README.md, "im2col + GEMM: copies, kept columns, sample blocks").
     */
    private static final long KEEP_COLUMNS_PER_SAMPLE = Long.getLong("gradlab.keepColumnsPerSample", 256L << 10);

    @Override
    public Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dParams cp) {
        return forward(x, w, bias, cp, null);
    }

    /**
     * Keeps the float32 im2col matrix of x (all samples; the block of samples [n0, n0+nb) is the
     * K x nb*L matrix at n0*K*L) when it has at most {@link #KEEP_COLUMNS} floats ({@link
     * #KEEP_COLUMNS_PER_SAMPLE} on the per-sample path): the filter
     * gradient then skips a second im2col of x and its copy to off-heap memory.
     */
    @Override
    public ConvForward conv2dForwardKeeping(Tensor x, Tensor w, Tensor bias, Conv2dParams cp) {
        Plan p = Plan.of(x.shape(), w.shape(), cp);
        long floats = (long) p.k * p.n * p.l;
        Path32 path = path32(p);
        long most = Math.min(KEEP_COLUMNS, path == Path32.PER_SAMPLE ? KEEP_COLUMNS_PER_SAMPLE : KEEP_COLUMNS);
        boolean keep = x.dtype() == DType.F32 && p.groups == 1 && !p.direct() && !p.depthwise() && floats > 0
                && floats <= most && path != Path32.WINOGRAD && path != Path32.STRIDED; // no whole col matrix to keep
        Tensor cols = keep ? Tensor.uninitialized(DType.F32, x.device(), (int) floats) : null; // im2col writes it whole
        return new ConvForward(forward(x, w, bias, cp, cols), cols);
    }

    private Tensor forward(Tensor x, Tensor w, Tensor bias, Conv2dParams cp, Tensor keep) {
        x = dense(x);
        w = dense(w);
        Plan p = Plan.of(x.shape(), w.shape(), cp);
        if (x.dtype() == DType.F64) {
            return ConvReference.forward(x, w, bias == null ? null : dense(bias), p);
        }
        Path32 path = path32(p);
        // every path writes each output element (GEMM beta 0, or bias then beta 1; the depthwise loops whole planes)
        Tensor out = Tensor.uninitialized(DType.F32, x.device(), p.n, p.cout, p.geo.ho(), p.geo.wo());
        if (out.numel() == 0) {
            return out;
        }
        CpuStorage sx = storage(x);
        CpuStorage sw = storage(w);
        CpuStorage so = storage(out);
        float[] b = bias == null ? null : ChannelLoops32.toFloats(dense(bias).toDoubleArray());
        CpuStorage kept = keep == null ? null : storage(keep);
        switch (path) {
            case SAMPLE_BLOCKS -> ConvBlocks32.forward(sx, x.offset(), sw, w.offset(), b, so, kept, p,
                    ConvBlocks32.samplesPerBlock(p));
            case DEPTHWISE -> Depthwise32.forward(sx, x.offset(), sw, w.offset(), b, so, p.n, p.cin, p.coutG, p.geo);
            case WINOGRAD -> Winograd32.forward(sx, x.offset(), sw, w.offset(), b, so, p, winogradTile(p));
            case STRIDED -> ConvStrided32.forward(sx, x.offset(), sw, w.offset(), b, so, p);
            case ONE_BY_ONE_BLOCKS -> OneByOneBlocks32.forward(sx, x.offset(), sw, w.offset(), b, so, p);
            case ONE_BY_ONE, PER_SAMPLE -> ConvSamples32.forward(sx, x.offset(), sw, w.offset(), b, so, kept, p);
        }
        return out;
    }

    @Override
    public Tensor conv2dBackwardInput(Tensor gOut, Tensor w, int[] xShape, Conv2dParams cp) {
        gOut = dense(gOut);
        w = dense(w);
        Plan p = Plan.of(xShape, w.shape(), cp);
        if (gOut.dtype() == DType.F64) {
            return ConvReference.backwardInput(gOut, w, xShape, p);
        }
        Path32 path = path32(p);
        // every path writes each sample's gx whole
        Tensor gx = Tensor.uninitialized(DType.F32, gOut.device(), xShape);
        if (gx.numel() == 0 || gOut.numel() == 0) {
            return gx.numel() == 0 ? gx : Tensor.zeros(DType.F32, gOut.device(), xShape);
        }
        CpuStorage sg = storage(gOut);
        CpuStorage sw = storage(w);
        CpuStorage sx = storage(gx);
        switch (path) {
            case SAMPLE_BLOCKS -> ConvBlocks32.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p,
                    ConvBlocks32.samplesPerBlock(p));
            case DEPTHWISE -> Depthwise32.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p.n, p.cin, p.coutG, p.geo);
            case WINOGRAD -> Winograd32.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p, winogradTile(p));
            case STRIDED -> ConvStrided32.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p);
            case ONE_BY_ONE_BLOCKS -> OneByOneBlocks32.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p);
            case ONE_BY_ONE, PER_SAMPLE -> ConvSamples32.backwardInput(sg, gOut.offset(), sw, w.offset(), sx, p);
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
        if (columns != null && columns.numel() != (long) p.k * p.n * p.l) {
            throw new IllegalArgumentException("conv2d backward: kept columns have " + columns.numel() + " elements, expected "
                    + (long) p.k * p.n * p.l + " (K x N*L for input " + org.gradlab.engine.Shape.str(x.shape()) + ")");
        }
        if (gOut.dtype() == DType.F64) {
            return ConvReference.backwardWeight(gOut, x, wShape, p);
        }
        if (org.gradlab.engine.Shape.numel(wShape) == 0 || gOut.numel() == 0) {
            return Tensor.zeros(DType.F32, gOut.device(), wShape);
        }
        Path32 path = filterPath32(p);
        // the Winograd filter transform writes every element; the other paths add into a zeroed gradient
        Tensor gw = path == Path32.WINOGRAD ? Tensor.uninitialized(DType.F32, gOut.device(), wShape)
                : Tensor.zeros(DType.F32, gOut.device(), wShape);
        CpuStorage sg = storage(gOut);
        CpuStorage sx = storage(x);
        CpuStorage sw = storage(gw);
        CpuStorage kept = columns == null ? null : storage(dense(columns));
        switch (path) {
            case WINOGRAD -> WinogradFilterGradient32.backwardWeight(sg, gOut.offset(), sx, x.offset(), sw, p, winogradTile(p));
            case STRIDED -> ConvStrided32.backwardWeight(sg, gOut.offset(), sx, x.offset(), sw, p);
            case SAMPLE_BLOCKS -> ConvBlocks32.backwardWeight(sg, gOut.offset(), sx, x.offset(), kept, sw, p,
                    ConvBlocks32.samplesPerBlock(p));
            case DEPTHWISE -> Depthwise32.backwardWeight(sg, gOut.offset(), sx, x.offset(), sw, p.n, p.cin, p.coutG, p.geo);
            case ONE_BY_ONE_BLOCKS -> OneByOneBlocks32.backwardWeight(sg, gOut.offset(), sx, x.offset(), sw, p);
            case ONE_BY_ONE, PER_SAMPLE -> ConvSamples32.backwardWeight(sg, gOut.offset(), sx, x.offset(), kept, sw, p);
        }
        return gw;
    }

    /**
     * Both gradients: a float32 conv for which {@link #sharedWinograd} holds runs one pass that
     * transforms g once for both ({@link WinogradBackward32}); any other conv the two calls.
     */
    @Override
    public ConvGradients conv2dBackwardInputAndWeight(Tensor gOut, Tensor x, Tensor w, Tensor columns, Conv2dParams cp) {
        Plan p = Plan.of(x.shape(), w.shape(), cp);
        if (gOut.dtype() != DType.F32 || !sharedWinograd(p) || gOut.numel() == 0 || x.numel() == 0 || w.numel() == 0) {
            return ConvKernels.super.conv2dBackwardInputAndWeight(gOut, x, w, columns, cp);
        }
        gOut = dense(gOut);
        x = dense(x);
        w = dense(w);
        // both written whole: dx by the output transform, dw by the filter transform
        Tensor gx = Tensor.uninitialized(DType.F32, gOut.device(), x.shape());
        Tensor gw = Tensor.uninitialized(DType.F32, gOut.device(), w.shape());
        WinogradBackward32.backward(storage(gOut), gOut.offset(), storage(x), x.offset(), storage(w), w.offset(), storage(gx),
                storage(gw), p, winogradTile(p));
        return new ConvGradients(gx, gw);
    }

    @Override
    public Tensor conv2dBackwardBias(Tensor gOut) {
        gOut = dense(gOut);
        if (gOut.dtype() == DType.F64) {
            return ConvReference.backwardBias(gOut);
        }
        int n = gOut.shape(0);
        int c = gOut.shape(1);
        int l = gOut.shape(2) * gOut.shape(3);
        java.nio.FloatBuffer src = storage(gOut).f32();
        int go = (int) gOut.offset();
        double[] sums = new double[c];
        Parallel.forChunks(c, Parallel.grain((long) n * l), (k, c0, c1) -> { // channels split, each chunk staging its own
            double[] part = new double[c1 - c0];
            ChannelLoops32.channelSums(ChannelLoops32.stage(0, src, go, n, c, l, c0, c1), n, c1 - c0, l, part);
            System.arraycopy(part, 0, sums, c0, c1 - c0);
        });
        return Tensor.of(DType.F32, gOut.device(), sums, c);
    }
}
