package org.gradlab.engine.backend.cpu;

/**
 * float32 direct loops for depthwise convs (Cin/groups = 1, Cout = Cin * mult): out channel
 * oc = ic*mult + m reads only input channel ic, so a GEMM per group would be mult x K x L with
 * K = kh*kw — pure overhead. The same sums as {@link ConvReference} (tested against it):
 * out[n, oc, oh, ow] = bias[oc] + sum over the taps (ki, kj) that land inside x of
 * x[n, ic, oh*sh - ph + ki, ow*sw - pw + kj] * w[oc, 0, ki, kj];
 * dL/dx[n, ic, ih, iw] = sum over m and the (oh, ow, ki, kj) that read (ih, iw) of dL/dout[n, oc, oh, ow] * w[oc, 0, ki, kj];
 * dL/dw[oc, 0, ki, kj] = sum over n and (oh, ow) of dL/dout[n, oc, oh, ow] * x[n, ic, oh*sh - ph + ki, ow*sw - pw + kj].
 *
 * <p>Two layouts, and each conv takes the one whose innermost loop is longer ({@link #onPlanes}):
 * plane by plane, each tap one multiply-add over the whole output grid ({@link DepthwisePlanes32}; the
 * filter gradient over rows of several samples side by side, {@link DepthwiseFilterGradient32});
 * or channels last, below, each multiply-add over the Cout channels — EfficientNet's late stages,
 * hundreds to thousands of channels on 1x1 to 8x8 planes, where a plane row is one to eight
 * elements and most of a padded window is border.
 *
 * <p>Channels last: one sample (or, for dL/dw, one sample's block of channels) is turned into
 * one heap array per position, holding its channels (input channel ic repeated mult times, so
 * every vector below is Cout long), the weights into one array per tap. Then every
 * (output position p, tap t, input position q) triple with q inside x ({@link #triples}) is ONE
 * multiply-add over the channels, for any stride and with no padded copy, up to four of them with
 * one destination row per pass ({@link DepthwiseRuns32}). NOTE: rows are
 * separate arrays so that each loop indexes all its arrays with the same {@code c}: the JIT
 * (JDK 17's C2) vectorises {@code a[c] += b[c] * d[c]} but not {@code a[i + c] += b[j + c] * d[k + c]}
 * (figures: bench/README.md, "Figures behind design choices"). The turn into and out of
 * channels last reads and writes the NCHW storage in place ({@link OffHeap}). Samples split
 * across threads for the forward and dL/dx; input channels for dL/dw, which sums over samples in
 * double (float partial sums of at most {@link #PRODUCTS_PER_FLUSH} products each), so
 * no sum crosses threads and every thread count gives the same bits.
 */
final class Depthwise32 {
    /** Triples (products) summed in float before the filter gradient's partial sums go into double. */
    static final int PRODUCTS_PER_FLUSH = 1024;
    /** Per-thread row arrays (slot, row) reused across calls, so channels last allocates nothing in steady state. */
    private static final ThreadLocal<float[][][]> ROWS = ThreadLocal.withInitial(() -> new float[3][][]);

    private Depthwise32() {}

    /** out (written whole) = depthwise conv of x + bias (bias may be null); samples split across threads. */
    static void forward(CpuStorage x, long xo, CpuStorage w, long wo, float[] bias, CpuStorage out, int n, int cin, int mult,
                        Im2col.Geo g) {
        int cout = cin * mult;
        float[] filters = filters(w, wo, cout, g);
        if (onPlanes(g, cout)) {
            DepthwisePlanes32.forward(x, xo, filters, bias, out, n, cin, mult, g);
            return;
        }
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        float[][] wt = byTap(filters, cout, g);
        int[] pairs = triples(g);
        long xa = OffHeap.floats(x, xo, (long) n * cin * hw);
        long oa = OffHeap.floats(out, 0, (long) n * cout * l);
        Parallel.forChunks(n, grain(cout, g), (c, n0, n1) -> {
            float[][] xt = rows(0, hw, cout);
            float[][] ot = rows(1, l, cout);
            for (int s = n0; s < n1; s++) {
                toChannelsLast(OffHeap.plus(xa, (long) s * cin * hw), cin, hw, mult, xt);
                for (int p = 0; p < l; p++) {
                    if (bias == null) {
                        java.util.Arrays.fill(ot[p], 0, cout, 0f);
                    } else {
                        System.arraycopy(bias, 0, ot[p], 0, cout);
                    }
                }
                // ot[p] += wt[t] * xt[q] (the triples come grouped by p)
                DepthwiseRuns32.accumulate(pairs, 0, pairs.length, DepthwiseRuns32.P, ot, DepthwiseRuns32.T, wt,
                        DepthwiseRuns32.Q, xt, cout);
                fromChannelsLast(ot, cout, 1, l, OffHeap.plus(oa, (long) s * cout * l));
            }
        });
    }

    /** gx (written whole) = dL/dx; samples split across threads. */
    static void backwardInput(CpuStorage gy, long go, CpuStorage w, long wo, CpuStorage gx, int n, int cin, int mult,
                              Im2col.Geo g) {
        int cout = cin * mult;
        float[] filters = filters(w, wo, cout, g);
        if (onPlanes(g, cout)) {
            DepthwisePlanes32.backwardInput(gy, go, filters, gx, n, cin, mult, g);
            return;
        }
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        float[][] wt = byTap(filters, cout, g);
        int[] byQ = DepthwiseRuns32.byDestination(triples(g), DepthwiseRuns32.Q, Integer.MAX_VALUE);
        long ga = OffHeap.floats(gy, go, (long) n * cout * l);
        long xa = OffHeap.floats(gx, 0, (long) n * cin * hw);
        Parallel.forChunks(n, grain(cout, g), (c, n0, n1) -> {
            float[][] gyt = rows(0, l, cout);
            float[][] gxt = rows(1, hw, cout);
            for (int s = n0; s < n1; s++) {
                toChannelsLast(OffHeap.plus(ga, (long) s * cout * l), cout, l, 1, gyt);
                for (int q = 0; q < hw; q++) {
                    java.util.Arrays.fill(gxt[q], 0, cout, 0f);
                }
                // gxt[q] += wt[t] * gyt[p], each q's products in p order as before
                DepthwiseRuns32.accumulate(byQ, 0, byQ.length, DepthwiseRuns32.Q, gxt, DepthwiseRuns32.T, wt,
                        DepthwiseRuns32.P, gyt, cout);
                fromChannelsLast(gxt, cin, mult, hw, OffHeap.plus(xa, (long) s * cin * hw));
            }
        });
    }

    /** gw (written whole; the caller's zeros are overwritten) = dL/dw; input channels split across threads. */
    static void backwardWeight(CpuStorage gy, long go, CpuStorage x, long xo, CpuStorage gw, int n, int cin, int mult,
                               Im2col.Geo g) {
        int cout = cin * mult;
        if (onPlanes(g, cout)) {
            DepthwiseFilterGradient32.backwardWeight(gy, go, x, xo, gw, n, cin, mult, g);
            return;
        }
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int[] pairs = triples(g);
        int[] byT = DepthwiseRuns32.byDestination(pairs, DepthwiseRuns32.T, PRODUCTS_PER_FLUSH);
        long ga = OffHeap.floats(gy, go, (long) n * cout * l);
        long xa = OffHeap.floats(x, xo, (long) n * cin * hw);
        long wa = OffHeap.floats(gw, 0, (long) cout * kk);
        // NOTE: a tap meets each output position at most once, so one sample adds at most l products
        // to each float partial sum; with at most PRODUCTS_PER_FLUSH triples per sample the partial
        // sums run over PRODUCTS_PER_FLUSH / l whole samples before going into double. Flushed once
        // per sample, the float-to-double adds (not vectorised: 0.28 ns per element against 0.08 for
        // a multiply-add) cost five times the products on 2x2 planes (l = 4, 16 triples of 25 taps).
        int group = pairs.length / 3 <= PRODUCTS_PER_FLUSH ? Math.max(1, PRODUCTS_PER_FLUSH / Math.max(1, l)) : 1;
        Parallel.forChunks(cin, Parallel.grain((long) n * mult * l * kk), (c, ic0, ic1) -> {
            int width = (ic1 - ic0) * mult; // this chunk's output channels, ic0*mult .. ic1*mult - 1
            float[][] xt = rows(0, hw, width);
            float[][] gyt = rows(1, l, width);
            float[][] part = rows(2, kk, width);
            double[][] sum = new double[kk][width];
            for (int s0 = 0; s0 < n; s0 += group) {
                int s1 = Math.min(n, s0 + group);
                for (int k0 = 0; k0 < pairs.length; k0 += 3 * PRODUCTS_PER_FLUSH) { // one pass when group > 1
                    int k1 = Math.min(pairs.length, k0 + 3 * PRODUCTS_PER_FLUSH);
                    for (int t = 0; t < kk; t++) {
                        java.util.Arrays.fill(part[t], 0, width, 0f);
                    }
                    for (int s = s0; s < s1; s++) {
                        if (k0 == 0) {
                            toChannelsLast(OffHeap.plus(xa, (long) s * cin * hw + (long) ic0 * hw), ic1 - ic0, hw, mult, xt);
                            toChannelsLast(OffHeap.plus(ga, (long) s * cout * l + (long) ic0 * mult * l), width, l, 1, gyt);
                        }
                        // part[t] += gyt[p] * xt[q], each tap's products in the order of the triples before
                        DepthwiseRuns32.accumulate(byT, k0, k1, DepthwiseRuns32.T, part, DepthwiseRuns32.P, gyt,
                                DepthwiseRuns32.Q, xt, width);
                    }
                    for (int t = 0; t < kk; t++) {
                        double[] sr = sum[t];
                        float[] pr = part[t];
                        for (int ch = 0; ch < width; ch++) {
                            sr[ch] += pr[ch];
                        }
                    }
                }
            }
            for (int j = 0; j < width; j++) {
                for (int t = 0; t < kk; t++) {
                    OffHeap.put(wa, (ic0 * mult + j) * kk + t, (float) sum[t][j]);
                }
            }
        });
    }

    /**
     * Every (output position p, tap t, input position q) with q inside x, as consecutive int
     * triples in output-position order: p = oh*wo + ow, t = ki*kw + kj, q = ih*w + iw with
     * ih = oh*sh - ph + ki, iw = ow*sw - pw + kj.
     */
    static int[] triples(Im2col.Geo g) {
        int[] out = new int[3 * g.ho() * g.wo() * g.kh() * g.kw()];
        int k = 0;
        for (int oh = 0; oh < g.ho(); oh++) {
            for (int ow = 0; ow < g.wo(); ow++) {
                for (int ki = 0; ki < g.kh(); ki++) {
                    int ih = oh * g.sh() - g.ph() + ki;
                    for (int kj = 0; kj < g.kw(); kj++) {
                        int iw = ow * g.sw() - g.pw() + kj;
                        if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                            out[k++] = oh * g.wo() + ow;
                            out[k++] = ki * g.kw() + kj;
                            out[k++] = ih * g.w() + iw;
                        }
                    }
                }
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }

    /**
     * Whether a conv with this geometry and {@code cout} output channels runs plane by plane
     * ({@link DepthwisePlanes32}, loops over the output grid: ho rows of the padded width, of which
     * 1/sw is kept) rather than channels last (loops over the channels): the longer useful loop wins.
     */
    static boolean onPlanes(Im2col.Geo g, int cout) {
        return (long) g.ho() * DepthwisePlanes32.ceil(g.w() + 2 * g.pw(), g.sw()) >= cout; // the grid's kept part
    }

    /** Items per chunk when one item (a sample) is {@code channels} planes of kh*kw multiply-adds per output position. */
    static int grain(int channels, Im2col.Geo g) {
        return Parallel.grain((long) channels * g.ho() * g.wo() * g.kh() * g.kw());
    }

    /** The cout filters (each kh x kw) as one heap array, filter by filter (then zeros up to rowLength(cout) filters). */
    private static float[] filters(CpuStorage w, long wo, int cout, Im2col.Geo g) {
        int kk = g.kh() * g.kw();
        float[] wa = new float[rowLength(cout) * kk];
        w.f32().get((int) wo, wa, 0, cout * kk);
        return wa;
    }

    /** The filters as one array per tap t = ki*kw + kj: wt[t][oc] = w[oc, t] (the channels-last turn of the filters). */
    private static float[][] byTap(float[] filters, int cout, Im2col.Geo g) {
        int kk = g.kh() * g.kw();
        float[][] wt = new float[kk][rowLength(cout)];
        if (VectorLanes.ENABLED) {
            ChannelsLastInLanes32.toRows(filters, cout, kk, wt);
            return wt;
        }
        for (int oc = 0; oc < cout; oc++) {
            for (int t = 0; t < kk; t++) {
                wt[t][oc] = filters[oc * kk + t];
            }
        }
        return wt;
    }

    /** How long a row of {@code width} channels is: whole vectors where the vector turns run (they write those). */
    private static int rowLength(int width) {
        return VectorLanes.ENABLED ? ChannelsLastInLanes32.padded(width) : width;
    }

    /** The calling thread's {@code count} row arrays of {@code slot}, each at least rowLength(width) long (contents undefined). */
    private static float[][] rows(int slot, int count, int width) {
        width = rowLength(width);
        float[][][] all = ROWS.get();
        float[][] r = all[slot];
        if (r == null || r.length < count || r[0].length < width) {
            int have = r == null ? 0 : r.length;
            r = new float[Math.max(count, have)][Math.max(width, r == null ? 0 : r[0].length)];
            all[slot] = r;
        }
        return r;
    }

    /**
     * planes x positions floats at {@code src} (off-heap, NCHW) into one row per position:
     * dst[p][i * mult + m] = src[i * positions + p]. One bulk copy into a heap array, then the
     * turn: with mult 1 and the vector kernels in gathering loads ({@link ChannelsLastInLanes32}),
     * else row by row (each row written front to back).
     */
    private static void toChannelsLast(long src, int planes, int positions, int mult, float[][] dst) {
        float[] flat = HeapStage.scratch(5, rowLength(planes) * positions);
        OffHeap.load(src, flat, planes * positions);
        if (VectorLanes.ENABLED && mult == 1) {
            ChannelsLastInLanes32.toRows(flat, planes, positions, dst);
            return;
        }
        for (int p = 0; p < positions; p++) {
            float[] row = dst[p];
            if (mult == 1) {
                for (int i = 0; i < planes; i++) {
                    row[i] = flat[i * positions + p];
                }
            } else {
                for (int i = 0; i < planes; i++) {
                    float v = flat[i * positions + p];
                    for (int m = 0; m < mult; m++) {
                        row[i * mult + m] = v;
                    }
                }
            }
        }
    }

    /**
     * The reverse turn, summing the mult copies: dst[i * positions + p] (off-heap, NCHW) = sum
     * over m of src[p][i*mult + m]; built in a heap array (with mult 1 and the vector kernels in
     * scattering stores, {@link ChannelsLastInLanes32}), then one bulk copy.
     */
    private static void fromChannelsLast(float[][] src, int planes, int mult, int positions, long dst) {
        float[] flat = HeapStage.scratch(5, rowLength(planes) * positions);
        if (VectorLanes.ENABLED && mult == 1) {
            ChannelsLastInLanes32.fromRows(src, planes, positions, flat);
            OffHeap.store(flat, planes * positions, dst);
            return;
        }
        for (int p = 0; p < positions; p++) {
            float[] row = src[p];
            if (mult == 1) {
                for (int i = 0; i < planes; i++) {
                    flat[i * positions + p] = row[i];
                }
            } else {
                for (int i = 0; i < planes; i++) {
                    float v = row[i * mult];
                    for (int m = 1; m < mult; m++) {
                        v += row[i * mult + m];
                    }
                    flat[i * positions + p] = v;
                }
            }
        }
        OffHeap.store(flat, planes * positions, dst);
    }
}
