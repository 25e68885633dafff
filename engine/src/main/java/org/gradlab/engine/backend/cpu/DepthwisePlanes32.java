package org.gradlab.engine.backend.cpu;

import java.util.Arrays;

/**
 * The depthwise conv of {@link Depthwise32} on large planes: one (sample, channel) plane at a
 * time, each tap ONE contiguous multiply-add over the whole output plane.
 *
 * <p>How: the zero-padded input plane xpad (hp = h + 2ph rows, wp = w + 2pw columns) is split
 * into sh row phases, phase a holding xpad[a + sh*i, :] at row i, each {@code rows} x wp (whole
 * rows: the split is row copies). The output is computed on a grid of ho rows of wp columns, the
 * column stride left to the read-out: output (oh, ow) is grid element (oh, ow*sw), the other
 * columns are thrown away (a stride-2 conv computes twice the columns it keeps, but every loop
 * stays contiguous). Then tap (ki, kj) reads phase ki mod sh from row ki div sh, column kj on,
 * and output grid element i reads that phase's element at the tap's start + i for EVERY i:
 * out'[i] += w[ki, kj] * phase[start + i] — one loop over ho x cols elements instead of ho
 * loops over wo (8 to 32) elements. NOTE: the JIT (JDK 17's C2) vectorises a loop only when
 * every array in it is indexed by the same expression ({@code a[i] += w * b[i]}, not
 * {@code a[i] += w * b[s + i]}; figures: bench/README.md, "Figures behind design choices"), so
 * each tap first copies its shifted window into an array of its own (a memory copy), then runs
 * the vectorised loop on equal indices. The forward copies a channel's kh*kw windows once (for all
 * mult filters: the stem conv of EfficientNet reads one channel with 32) and adds a whole kernel
 * row per pass over the grid (out' + p0 + p1 + p2, left to right: the same sums in the same order
 * as one tap per pass). dL/dx gathers the same products into phase planes of dL/dxpad, a kernel
 * row per pass over kw shifted copies of the gradient grid (the thrown-away columns of the grid
 * are zero, so they add nothing), and keeps their interior. dL/dw: {@link DepthwiseFilterGradient32}.
 */
final class DepthwisePlanes32 {
    private DepthwisePlanes32() {}

    /** The phase planes of one padded plane and the output grid, see the class comment. */
    record Layout(Im2col.Geo g, int rows, int cols) {
        static Layout of(Im2col.Geo g) {
            int rows = ceil(g.h() + 2 * g.ph(), g.sh()) + 1; // + 1: the last taps read past the last row's end
            return new Layout(g, rows, g.w() + 2 * g.pw());
        }

        int phaseSize() {
            return rows * cols;
        }

        /** Floats of all sh phase planes. */
        int size() {
            return g.sh() * phaseSize();
        }

        /** Output grid elements: ho rows of cols. */
        int grid() {
            return g.ho() * cols;
        }

        /** Where tap (ki, kj) starts reading in the phase planes. */
        int start(int ki, int kj) {
            return (ki % g.sh()) * phaseSize() + shift(ki, kj);
        }

        /** The first row of phase a that holds an input row (padded row r = ih + ph, r mod sh = a). */
        int firstInterior(int a) {
            return ceil(Math.max(0, g.ph() - a), g.sh());
        }

        /** The last row of phase a that holds an input row (below firstInterior when none does). */
        int lastInterior(int a) {
            return Math.floorDiv(g.ph() + g.h() - 1 - a, g.sh());
        }

        /** Where tap (ki, kj) starts reading within its phase plane. */
        int shift(int ki, int kj) {
            return (ki / g.sh()) * cols + kj;
        }
    }

    static int ceil(int a, int b) {
        return (a + b - 1) / b;
    }

    /** out (written whole) = depthwise conv of x + bias (bias may be null); samples split across threads. */
    static void forward(CpuStorage x, long xo, float[] w, float[] bias, CpuStorage out, int n, int cin, int mult,
                        Im2col.Geo g) {
        Layout lay = Layout.of(g);
        if (VectorLanes.ENABLED) {
            DepthwisePlanesInLanes32.forward(x, xo, w, bias, out, n, cin, mult, lay);
            return;
        }
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int cells = lay.grid();
        Parallel.forChunks(n, Depthwise32.grain(cout, g), (c, n0, n1) -> {
            float[] xph = HeapStage.scratch(0, lay.size());
            float[] grid = HeapStage.scratch(1, cells);
            float[][] windows = windows(kk, cells);
            for (int s = n0; s < n1; s++) {
                float[] xs = HeapStage.load(2, x.f32(), (int) xo + s * cin * hw, cin * hw);
                float[] os = HeapStage.scratch(3, cout * l);
                for (int ic = 0; ic < cin; ic++) {
                    scatter(xs, ic * hw, lay, xph);
                    for (int ki = 0; ki < g.kh(); ki++) {
                        for (int kj = 0; kj < g.kw(); kj++) {
                            System.arraycopy(xph, lay.start(ki, kj), windows[ki * g.kw() + kj], 0, cells);
                        }
                    }
                    for (int m = 0; m < mult; m++) {
                        int oc = ic * mult + m;
                        Arrays.fill(grid, 0, cells, bias == null ? 0f : bias[oc]);
                        for (int ki = 0; ki < g.kh(); ki++) {
                            addKernelRow(grid, w, oc * kk + ki * g.kw(), windows, ki * g.kw(), g.kw(), 0, cells);
                        }
                        fromGrid(grid, lay, os, oc * l);
                    }
                }
                HeapStage.store(os, out.f32(), s * cout * l, cout * l);
            }
        });
    }

    /** Per-thread window arrays (one per tap), reused across calls. */
    private static final ThreadLocal<float[][]> WINDOWS = ThreadLocal.withInitial(() -> new float[0][]);

    /** The calling thread's {@code taps} window arrays of at least {@code cells} floats (contents undefined). */
    private static float[][] windows(int taps, int cells) {
        float[][] have = WINDOWS.get();
        if (have.length < taps || have[0].length < cells) {
            have = new float[Math.max(taps, have.length)][Math.max(cells, have.length == 0 ? 0 : have[0].length)];
            WINDOWS.set(have);
        }
        return have;
    }

    /**
     * grid[i] += w[at + j] * win[first + j][i] for the kw taps j of one kernel row, from <= i < to, added
     * left to right (the order of one tap per pass, so the same bits): three and five taps (every
     * depthwise kernel of EfficientNet) in one pass, other widths a tap at a time.
     */
    private static void addKernelRow(float[] grid, float[] w, int at, float[][] win, int first, int kw, int from, int to) {
        if (kw == 3) {
            float w0 = w[at];
            float w1 = w[at + 1];
            float w2 = w[at + 2];
            float[] a = win[first];
            float[] b = win[first + 1];
            float[] c = win[first + 2];
            for (int i = from; i < to; i++) {
                grid[i] = grid[i] + w0 * a[i] + w1 * b[i] + w2 * c[i];
            }
        } else if (kw == 5) {
            float w0 = w[at];
            float w1 = w[at + 1];
            float w2 = w[at + 2];
            float w3 = w[at + 3];
            float w4 = w[at + 4];
            float[] a = win[first];
            float[] b = win[first + 1];
            float[] c = win[first + 2];
            float[] d = win[first + 3];
            float[] e = win[first + 4];
            for (int i = from; i < to; i++) {
                grid[i] = grid[i] + w0 * a[i] + w1 * b[i] + w2 * c[i] + w3 * d[i] + w4 * e[i];
            }
        } else {
            for (int j = 0; j < kw; j++) {
                multiplyAdd(grid, w[at + j], win[first + j], from, to);
            }
        }
    }

    /**
     * gx (written whole) = dL/dx; samples split across threads. As a gather: phase a's element k of
     * dL/dxpad sums w[ki, kj] * dL/dout'[k - shift(ki, kj)] over m and the taps with ki mod sh = a
     * (shift = (ki div sh) * cols + kj), each kernel row one pass over kw shifted copies of the
     * gradient grid (the copies read a buffer with the grid at shift(kh - 1, kw - 1), zero around it).
     * The same products added in the same order (m, ki, kj) as scattering one tap per pass: the same bits.
     */
    static void backwardInput(CpuStorage gy, long go, float[] w, CpuStorage gx, int n, int cin, int mult, Im2col.Geo g) {
        Layout lay = Layout.of(g);
        if (VectorLanes.ENABLED) {
            DepthwisePlanesInLanes32.backwardInput(gy, go, w, gx, n, cin, mult, lay);
            return;
        }
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int ps = lay.phaseSize();
        int lead = lay.shift(g.kh() - 1, g.kw() - 1);
        Parallel.forChunks(n, Depthwise32.grain(cout, g), (c, n0, n1) -> {
            float[] gph = HeapStage.scratch(0, lay.size());
            float[] padded = HeapStage.zeroed(1, lead + ps); // toGrid writes only the kept cells: the rest stays zero
            float[] acc = HeapStage.scratch(4, ps);
            float[][] windows = windows(g.kw(), ps);
            for (int s = n0; s < n1; s++) {
                float[] gs = HeapStage.load(2, gy.f32(), (int) go + s * cout * l, cout * l);
                float[] xs = HeapStage.scratch(3, cin * hw);
                for (int ic = 0; ic < cin; ic++) {
                    for (int a = 0; a < g.sh(); a++) {
                        int lo = lay.firstInterior(a) * lay.cols();
                        int hi = (lay.lastInterior(a) + 1) * lay.cols();
                        if (lo >= hi) {
                            continue;
                        }
                        Arrays.fill(acc, lo, hi, 0f);
                        for (int m = 0; m < mult; m++) {
                            int oc = ic * mult + m;
                            toGrid(gs, oc * l, lay, padded, lead);
                            for (int ki = a; ki < g.kh(); ki += g.sh()) {
                                for (int kj = 0; kj < g.kw(); kj++) {
                                    System.arraycopy(padded, lead - lay.shift(ki, kj) + lo, windows[kj], lo, hi - lo);
                                }
                                addKernelRow(acc, w, oc * kk + ki * g.kw(), windows, 0, g.kw(), lo, hi);
                            }
                        }
                        System.arraycopy(acc, lo, gph, a * ps + lo, hi - lo);
                    }
                    gather(gph, lay, xs, ic * hw);
                }
                HeapStage.store(xs, gx.f32(), s * cin * hw, cin * hw);
            }
        });
    }

    /** y[i] += a * x[i] for from <= i < to (one index for both arrays: vectorised). */
    private static void multiplyAdd(float[] y, float a, float[] x, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] += a * x[i];
        }
    }

    /** The h x w plane of src at {@code off} into the phase planes of its zero-padded copy (all of xph written). */
    private static void scatter(float[] src, int off, Layout lay, float[] xph) {
        Arrays.fill(xph, 0, lay.size(), 0f);
        move(src, off, lay, xph, true);
    }

    /** The interior (the h x w input positions) of the phase planes into dst at {@code off}. */
    static void gather(float[] gph, Layout lay, float[] dst, int off) {
        move(dst, off, lay, gph, false);
    }

    /** Between a plane (at {@code off}) and its place in the phase planes: input row ih is padded row r = ih + ph, in phase r mod sh. */
    private static void move(float[] plane, int off, Layout lay, float[] phases, boolean intoPhases) {
        Im2col.Geo g = lay.g();
        for (int ih = 0; ih < g.h(); ih++) {
            int r = ih + g.ph();
            int at = (r % g.sh()) * lay.phaseSize() + (r / g.sh()) * lay.cols() + g.pw();
            if (intoPhases) {
                System.arraycopy(plane, off + ih * g.w(), phases, at, g.w());
            } else {
                System.arraycopy(phases, at, plane, off + ih * g.w(), g.w());
            }
        }
    }

    /** The ho x wo outputs, output (oh, ow) being grid element (oh, ow*sw), into dst at {@code off}. */
    static void fromGrid(float[] grid, Layout lay, float[] dst, int off) {
        Im2col.Geo g = lay.g();
        for (int oh = 0; oh < g.ho(); oh++) {
            int row = oh * lay.cols();
            if (g.sw() == 1) {
                System.arraycopy(grid, row, dst, off + oh * g.wo(), g.wo());
            } else {
                for (int ow = 0; ow < g.wo(); ow++) {
                    dst[off + oh * g.wo() + ow] = grid[row + ow * g.sw()];
                }
            }
        }
    }

    /** The ho x wo plane of src at {@code off} onto grid (starting at {@code at}) columns ow*sw (the other columns stay zero). */
    static void toGrid(float[] src, int off, Layout lay, float[] grid, int at) {
        Im2col.Geo g = lay.g();
        for (int oh = 0; oh < g.ho(); oh++) {
            int row = at + oh * lay.cols();
            if (g.sw() == 1) {
                System.arraycopy(src, off + oh * g.wo(), grid, row, g.wo());
            } else {
                for (int ow = 0; ow < g.wo(); ow++) {
                    grid[row + ow * g.sw()] = src[off + oh * g.wo() + ow];
                }
            }
        }
    }
}
