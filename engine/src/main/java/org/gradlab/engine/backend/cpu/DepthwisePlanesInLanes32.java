package org.gradlab.engine.backend.cpu;

/**
 * {@link DepthwisePlanes32}'s forward and dL/dx with the vector kernels ({@link TapSums32}): each
 * output cell (dL/dx cell) summed over all its taps in vector registers instead of a window copy
 * and a pass over the grid per kernel row. Same layout (row phases, the grid of ho rows of the
 * padded width), but where the columns' stride is 1 the rows are written straight into the output
 * (dL/dx) plane, so neither the grid nor its read-out is needed. Runs only when
 * {@link VectorLanes#ENABLED}.
 */
final class DepthwisePlanesInLanes32 {
    /**
     * Filters per input channel from which a strided forward splits each padded plane into column
     * phases too (EfficientNet's stem: one channel, 32 filters): the split is a scalar pass over the
     * plane, paid once for all the channel's filters, and saves each filter the grid's thrown-away
     * columns and the strided read-out.
     */
    static final int COLUMN_PHASES_MIN_FILTERS = 4;

    private DepthwisePlanesInLanes32() {}

    /**
     * {@link DepthwisePlanes32#forward} with each output cell summed over all taps in vector registers
     * ({@link TapSums32}): the same row phases, no window copies; at column stride 1 the rows go
     * straight into the output plane, otherwise through the grid and its read-out (or, with several
     * filters per channel, through column phases: {@link #forwardColumnPhases}).
     */
    static void forward(CpuStorage x, long xo, float[] w, float[] bias, CpuStorage out, int n, int cin, int mult,
                        DepthwisePlanes32.Layout lay) {
        Im2col.Geo g = lay.g();
        if (g.sw() > 1 && mult >= COLUMN_PHASES_MIN_FILTERS) {
            forwardColumnPhases(x, xo, w, bias, out, n, cin, mult, lay);
            return;
        }
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int cells = lay.grid();
        int[] off = new int[kk];
        for (int ki = 0; ki < g.kh(); ki++) {
            for (int kj = 0; kj < g.kw(); kj++) {
                off[ki * g.kw() + kj] = lay.start(ki, kj);
            }
        }
        int slack = TapSums32.lanes(); // whole-vector reads past the phase planes' end
        boolean direct = g.sw() == 1; // the output rows are the grid rows' first wo cells: no grid, no read-out
        Parallel.forChunks(n, Depthwise32.grain(cout, g), (c, n0, n1) -> {
            float[] xph = HeapStage.zeroed(0, lay.size() + slack);
            float[] grid = HeapStage.scratch(1, TapSums32.end(0, cells));
            for (int s = n0; s < n1; s++) {
                float[] xs = HeapStage.load(2, x.f32(), (int) xo + s * cin * hw, cin * hw);
                float[] os = HeapStage.scratch(3, cout * l + slack); // the last row's whole vectors
                for (int ic = 0; ic < cin; ic++) {
                    for (int ih = 0; ih < g.h(); ih++) { // into the phase planes; the padding and slack stay zero
                        int r = ih + g.ph();
                        TapSums32.copyRows(xs, ic * hw + ih * g.w(), 0, xph,
                                (r % g.sh()) * lay.phaseSize() + (r / g.sh()) * lay.cols() + g.pw(), 0, 1, g.w());
                    }
                    for (int m = 0; m < mult; m++) {
                        int oc = ic * mult + m;
                        float b = bias == null ? 0f : bias[oc];
                        if (direct) {
                            TapSums32.sumRows(os, oc * l, g.wo(), g.ho(), false, b, xph, 0, lay.cols(), off, w, oc * kk, kk);
                        } else {
                            TapSums32.sum(grid, 0, cells, false, b, xph, off, w, oc * kk, kk);
                            DepthwisePlanes32.fromGrid(grid, lay, os, oc * l);
                        }
                    }
                }
                HeapStage.store(os, out.f32(), s * cout * l, cout * l);
            }
        });
    }

    /**
     * {@link DepthwisePlanes32#backwardInput} with each cell of dL/dxpad summed over its taps (and the mult
     * filters) in vector registers ({@link TapSums32}), no window copies: at stride 1 the dL/dx rows go
     * straight into the input gradient's plane, otherwise through the phase planes and their gather.
     */
    static void backwardInput(CpuStorage gy, long go, float[] w, CpuStorage gx, int n, int cin, int mult,
                              DepthwisePlanes32.Layout lay) {
        Im2col.Geo g = lay.g();
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int ps = lay.phaseSize();
        int lead = lay.shift(g.kh() - 1, g.kw() - 1);
        int[][] tap = new int[g.sh()][]; // phase a: its taps t = ki*kw + kj (ki mod sh = a) ...
        int[][] off = new int[g.sh()][]; // ... and where each reads the padded gradient grid
        for (int a = 0; a < g.sh(); a++) {
            int count = g.kw() * DepthwisePlanes32.ceil(Math.max(0, g.kh() - a), g.sh());
            tap[a] = new int[count];
            off[a] = new int[count];
            int k = 0;
            for (int ki = a; ki < g.kh(); ki += g.sh()) {
                for (int kj = 0; kj < g.kw(); kj++, k++) {
                    tap[a][k] = ki * g.kw() + kj;
                    off[a][k] = lead - lay.shift(ki, kj);
                }
            }
        }
        int slack = TapSums32.lanes();
        // dL/dx's rows straight from one phase: no acc, no gather (several filters add into the rows, so no spill then)
        boolean direct = g.sh() == 1 && g.sw() == 1 && (mult == 1 || g.w() % slack == 0);
        Parallel.forChunks(n, Depthwise32.grain(cout, g), (c, n0, n1) -> {
            float[] gph = HeapStage.scratch(0, lay.size());
            float[] padded = HeapStage.zeroed(1, lead + ps + slack); // toGrid writes only the kept cells
            float[] acc = HeapStage.scratch(4, ps + slack);
            float[] wsel = new float[kk];
            for (int s = n0; s < n1; s++) {
                float[] gs = HeapStage.load(2, gy.f32(), (int) go + s * cout * l, cout * l);
                float[] xs = HeapStage.scratch(3, cin * hw + slack); // the last row's whole vectors
                for (int ic = 0; ic < cin; ic++) {
                    if (direct) {
                        for (int m = 0; m < mult; m++) {
                            int oc = ic * mult + m;
                            TapSums32.copyRows(gs, oc * l, g.wo(), padded, lead, lay.cols(), g.ho(), g.wo());
                            for (int k = 0; k < kk; k++) {
                                wsel[k] = w[oc * kk + tap[0][k]];
                            }
                            TapSums32.sumRows(xs, ic * hw, g.w(), g.h(), m > 0, 0f, padded, g.ph() * lay.cols() + g.pw(),
                                    lay.cols(), off[0], wsel, 0, kk);
                        }
                        continue;
                    }
                    for (int a = 0; a < g.sh(); a++) {
                        int lo = lay.firstInterior(a) * lay.cols();
                        int hi = (lay.lastInterior(a) + 1) * lay.cols();
                        if (lo >= hi) {
                            continue;
                        }
                        for (int m = 0; m < mult; m++) {
                            int oc = ic * mult + m;
                            DepthwisePlanes32.toGrid(gs, oc * l, lay, padded, lead);
                            for (int k = 0; k < tap[a].length; k++) {
                                wsel[k] = w[oc * kk + tap[a][k]];
                            }
                            TapSums32.sum(acc, lo, hi, m > 0, 0f, padded, off[a], wsel, 0, tap[a].length);
                        }
                        System.arraycopy(acc, lo, gph, a * ps + lo, hi - lo);
                    }
                    DepthwisePlanes32.gather(gph, lay, xs, ic * hw);
                }
                HeapStage.store(xs, gx.f32(), s * cin * hw, cin * hw);
            }
        });
    }

    /**
     * The forward at a column stride above 1 with the padded plane split into sh x sw phase planes
     * of {@code rows} x cph cells (cph = ceil(padded width / sw)): padded (r, c) is cell
     * (r div sh)*cph + c div sw of phase (r mod sh)*sw + c mod sw. Tap (ki, kj) of output (oh, ow)
     * then reads its phase at row oh + ki div sh, column ow + kj div sw: every output row is one
     * contiguous run per tap, written straight into the output plane ({@link TapSums32#sumRows}).
     */
    private static void forwardColumnPhases(CpuStorage x, long xo, float[] w, float[] bias, CpuStorage out, int n,
                                            int cin, int mult, DepthwisePlanes32.Layout lay) {
        Im2col.Geo g = lay.g();
        int hw = g.h() * g.w();
        int l = g.ho() * g.wo();
        int kk = g.kh() * g.kw();
        int cout = cin * mult;
        int cph = DepthwisePlanes32.ceil(lay.cols(), g.sw());
        int plane = lay.rows() * cph;
        int[] off = new int[kk];
        for (int ki = 0; ki < g.kh(); ki++) {
            for (int kj = 0; kj < g.kw(); kj++) {
                off[ki * g.kw() + kj] = ((ki % g.sh()) * g.sw() + kj % g.sw()) * plane + (ki / g.sh()) * cph + kj / g.sw();
            }
        }
        int slack = TapSums32.lanes();
        Parallel.forChunks(n, Depthwise32.grain(cout, g), (c, n0, n1) -> {
            // every plane writes the same cells, so what the padding maps to stays zero
            float[] phases = HeapStage.zeroed(0, g.sh() * g.sw() * plane + slack);
            for (int s = n0; s < n1; s++) {
                float[] xs = HeapStage.load(2, x.f32(), (int) xo + s * cin * hw, cin * hw);
                float[] os = HeapStage.scratch(3, cout * l + slack); // the last row's whole vectors
                for (int ic = 0; ic < cin; ic++) {
                    for (int ih = 0; ih < g.h(); ih++) {
                        int r = ih + g.ph();
                        int rowAt = (r % g.sh()) * g.sw() * plane + (r / g.sh()) * cph;
                        int from = ic * hw + ih * g.w();
                        for (int iw = 0; iw < g.w(); iw++) {
                            int col = iw + g.pw();
                            phases[rowAt + (col % g.sw()) * plane + col / g.sw()] = xs[from + iw];
                        }
                    }
                    for (int m = 0; m < mult; m++) {
                        int oc = ic * mult + m;
                        TapSums32.sumRows(os, oc * l, g.wo(), g.ho(), false, bias == null ? 0f : bias[oc], phases, 0, cph,
                                off, w, oc * kk, kk);
                    }
                }
                HeapStage.store(os, out.f32(), s * cout * l, cout * l);
            }
        });
    }
}
