package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;
import org.gradlab.natives.Blas;

/**
 * float32 strided conv with overlapping windows, zero padding and a small output plane (groups 1:
 * ResNet-18's stride-2 3x3 convs to 7x7 and 4x4) as im2col + GEMM over blocks of samples that
 * SKIPS the kernel taps landing in the padding: those multiply zeros, and at small
 * output planes they are many (ResNet-18's layer4.0.conv1, 7x7 -> 4x4: 31 % of the multiply-adds;
 * layer3.0.conv1, 14x14 -> 7x7: 9 %; layer2.0.conv1: 5 %). oneDNN skips them too.
 *
 * <p>How: the K rows of the col matrix are TAP-major, r = (ki*kw + kj)*Cin + c (the weights are
 * permuted to match, W' (Cout x K)), and its columns, the block's nb*L output positions, are
 * ordered by column class, then output row, then sample: the output columns ow whose valid kernel
 * columns [kjLo, kjHi] (those with 0 <= sw*ow + kj - pw < W) are the same form a class cc; within
 * it, column (cc, oh, s, ow). Then for each kernel row ki and class cc the taps that read the input
 * are the rows [(ki*kw + kjLo)*Cin, (ki*kw + kjHi + 1)*Cin) at the output rows [ohLo(ki), ohHi(ki))
 * (0 <= sh*oh + ki - ph < H): a contiguous REGION of the col matrix, and the conv is one GEMM per
 * region (kh x classes of them, 9 at 4x4, 6 at 7x7 and 14x14):
 * <pre>
 *   forward        out[:, cols] += W'[:, rows] * col[rows, cols]
 *   backward-data  gcol[rows, cols] = W'[:, rows]^T * g[:, cols]       gx = col2im(gcol) over the regions
 *   filter         dW'[:, rows] += g[:, cols] * col[rows, cols]^T       dW = W' order back to (c, ki, kj)
 * </pre>
 * Only the regions' entries of col are built (gathered straight from the staged x through a table of
 * each column's window origin, no zero-bordered copy) and only they are scattered back. Same
 * products as {@link ConvReference} without the zero terms (tested against it, ConvF32PathTest).
 *
 * <p>Heap staging slots (see {@link HeapStage}): 0 sample block of x or g, 2 one col row,
 * 3 channel-major block, 4 sample-major block, 5 one weight row.
 */
final class ConvStrided32 {
    private ConvStrided32() {}

    /** {@code -Dgradlab.conv32.strided=false} keeps these convs on {@link ConvBlocks32} / {@link ConvSamples32} (for benchmarks). */
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("gradlab.conv32.strided"));
    /** Columns one block should reach ({@code -Dgradlab.convStridedColumns}). */
    private static final int TARGET_COLUMNS = Integer.getInteger("gradlab.convStridedColumns", 800);
    /** Upper bound on the col block, in floats (16 MB). */
    private static final long MAX_COL_FLOATS = 4L << 20;
    /** Fewer output channels than this stay on the other paths (as {@link ConvBlocks32}'s narrow convs). */
    private static final int MIN_COUT = 32;

    /**
     * Output planes of at least this many positions stay on the other paths ({@code
     * -Dgradlab.convStridedBelowL}): ResNet-18's layer2.0.conv1 (14x14, 5 % of its taps in the
     * padding) measured no faster this way, its 7x7 and 4x4 ones 7-15 % faster (bench/README.md,
     * "Stride-2 convs without the padding's taps").
     */
    private static final int BELOW_L = Integer.getInteger("gradlab.convStridedBelowL", 100);

    /** Whether this conv takes this path: groups 1, a stride above 1, overlapping windows, padding, a small output plane. */
    static boolean applies(CpuConv.Plan p) {
        Im2col.Geo g = p.geo();
        return ENABLED && p.groups() == 1 && p.cout() >= MIN_COUT && (g.sh() > 1 || g.sw() > 1)
                && !Im2colPhases.applies(g) && (g.ph() > 0 || g.pw() > 0) && p.l() > 0 && p.l() < BELOW_L;
    }

    /** Samples per block: about {@link #TARGET_COLUMNS} columns, every thread a block. */
    static int samplesPerBlock(CpuConv.Plan p) {
        int nb = (TARGET_COLUMNS + p.l() - 1) / p.l();
        nb = (int) Math.min(nb, Math.max(1, MAX_COL_FLOATS / ((long) p.k() * p.l())));
        nb = Math.min(nb, (p.n() + Parallel.threads() - 1) / Parallel.threads());
        return Math.max(1, Math.min(nb, p.n()));
    }

    /** out = conv(x, w) + bias (bias may be null), every element written. */
    static void forward(CpuStorage x, long xOff, CpuStorage w, long wOff, float[] bias, CpuStorage out, CpuConv.Plan p) {
        int xs = p.cin() * p.hw();
        int os = p.cout() * p.l();
        try (CpuStorage wt = tapMajor(w, wOff, p)) {
            forEachBlock(p, (work, chunk, n0, lay) -> {
                float[] xb = HeapStage.load(0, x.f32(), (int) (xOff + (long) n0 * xs), lay.nb * xs);
                im2col(xb, lay, work.col, p);
                long blk = OffHeap.floats(work.blk, 0, (long) p.cout() * lay.n);
                OffHeap.zero(blk, 0, p.cout() * lay.n); // the regions' GEMMs add; skipped taps add nothing
                for (int i = 0; i < lay.regions.length; i += 4) {
                    int r0 = lay.regions[i];
                    int kr = lay.regions[i + 1];
                    int c0 = lay.regions[i + 2];
                    Blas.sgemm(false, false, p.cout(), lay.regions[i + 3], kr, 1f, wt.buffer(), r0, p.k(), work.col.buffer(),
                            (long) r0 * lay.n + c0, lay.n, 1f, work.blk.buffer(), c0, lay.n);
                }
                float[] cm = HeapStage.load(3, work.blk.f32(), 0, p.cout() * lay.n);
                float[] sm = HeapStage.scratch(4, lay.nb * os);
                for (int s = 0; s < lay.nb; s++) {
                    for (int co = 0; co < p.cout(); co++) {
                        float b = bias == null ? 0f : bias[co];
                        int dst = (s * p.cout() + co) * p.l();
                        int row = co * lay.n;
                        for (int q = 0, at = s * p.l(); q < p.l(); q++, at++) {
                            sm[dst + q] = cm[row + lay.column[at]] + b;
                        }
                    }
                }
                out.f32().put(n0 * os, sm, 0, lay.nb * os);
            });
        }
    }

    /** gx = col2im(W^T * g) over the regions, for every block. gx is fully written. */
    static void backwardInput(CpuStorage g, long gOff, CpuStorage w, long wOff, CpuStorage gx, CpuConv.Plan p) {
        int xs = p.cin() * p.hw();
        try (CpuStorage wt = tapMajor(w, wOff, p)) {
            forEachBlock(p, (work, chunk, n0, lay) -> {
                loadChannelMajor(g, gOff, n0, lay, work, p);
                for (int i = 0; i < lay.regions.length; i += 4) {
                    int r0 = lay.regions[i];
                    int c0 = lay.regions[i + 2];
                    Blas.sgemm(true, false, lay.regions[i + 1], lay.regions[i + 3], p.cout(), 1f, wt.buffer(), r0, p.k(),
                            work.blk.buffer(), c0, lay.n, 0f, work.col.buffer(), (long) r0 * lay.n + c0, lay.n);
                }
                float[] xb = HeapStage.zeroed(4, lay.nb * xs);
                col2im(work.col, lay, xb, p);
                gx.f32().put(n0 * xs, xb, 0, lay.nb * xs);
            });
        }
    }

    /**
     * gw (zeroed by the caller) = g * col^T over the regions, summed over the blocks: chunk 0 of the
     * blocks sums into a tap-major gradient, each other chunk into a zeroed one of its own, added in
     * chunk order ({@link Parallel#addInOrder}), then turned back to gw's (c, ki, kj) order.
     */
    static void backwardWeight(CpuStorage g, long gOff, CpuStorage x, long xOff, CpuStorage gw, CpuConv.Plan p) {
        int xs = p.cin() * p.hw();
        int size = p.cout() * p.k();
        int blocks = (p.n() + samplesPerBlock(p) - 1) / samplesPerBlock(p);
        CpuStorage[] partial = new CpuStorage[Parallel.chunks(blocks, 1)];
        partial[0] = new CpuStorage(DType.F32, size); // zeroed: the GEMMs accumulate (beta 1)
        try {
            try {
                forEachBlock(p, (work, chunk, n0, lay) -> {
                    if (chunk > 0 && partial[chunk] == null) {
                        partial[chunk] = new CpuStorage(DType.F32, size);
                    }
                    loadChannelMajor(g, gOff, n0, lay, work, p);
                    float[] xb = HeapStage.load(0, x.f32(), (int) (xOff + (long) n0 * xs), lay.nb * xs);
                    im2col(xb, lay, work.col, p);
                    for (int i = 0; i < lay.regions.length; i += 4) {
                        int r0 = lay.regions[i];
                        int c0 = lay.regions[i + 2];
                        Blas.sgemm(false, true, p.cout(), lay.regions[i + 1], lay.regions[i + 3], 1f, work.blk.buffer(), c0,
                                lay.n, work.col.buffer(), (long) r0 * lay.n + c0, lay.n, 1f, partial[chunk].buffer(), r0, p.k());
                    }
                });
            } finally {
                Parallel.addInOrder(partial, size);
            }
            untapMajor(partial[0], gw, p);
        } finally {
            partial[0].close();
        }
    }

    /** Scratch for one chunk of blocks: the off-heap col (K x nb*L) and channel-major (Cout x nb*L) blocks. */
    private static final class Work implements AutoCloseable {
        final CpuStorage col;
        final CpuStorage blk;

        Work(CpuConv.Plan p, int nb) {
            // col: the GEMMs read only the regions, which im2col or a beta-0 GEMM writes; blk: written whole or zeroed
            col = new CpuStorage(DType.F32, (long) p.k() * nb * p.l(), false);
            blk = new CpuStorage(DType.F32, (long) p.cout() * nb * p.l(), false);
        }

        @Override
        public void close() {
            col.close();
            blk.close();
        }
    }

    /** One block of samples from n0, laid out as {@code lay}, run with its chunk's scratch. */
    private interface Block {
        void run(Work work, int chunk, int n0, Layout lay);
    }

    /** Runs {@code body} for every block, the blocks split across threads; each chunk has its own {@link Work}. */
    private static void forEachBlock(CpuConv.Plan p, Block body) {
        int nb = samplesPerBlock(p);
        int blocks = (p.n() + nb - 1) / nb;
        Layout full = new Layout(p, nb);
        Layout last = p.n() % nb == 0 ? full : new Layout(p, p.n() % nb);
        Parallel.forChunks(blocks, 1, (chunk, b0, b1) -> {
            try (Work work = new Work(p, nb)) {
                for (int b = b0; b < b1; b++) {
                    body.run(work, chunk, b * nb, b == blocks - 1 ? last : full);
                }
            }
        });
    }

    /**
     * The column order and regions of a block of nb samples (see the class comment): column[s*L +
     * oh*Wo + ow] is the GEMM column of that output position, origin[column] the offset in the
     * staged block of x of its window's tap (0, 0) without the padding shift (s*Cin*H*W + sh*oh*W +
     * sw*ow), regions four ints each: first row, rows, first column, columns.
     */
    private static final class Layout {
        final int nb;
        final int n;
        final int[] column;
        final int[] origin;
        final int[] regions;

        Layout(CpuConv.Plan p, int nb) {
            Im2col.Geo g = p.geo();
            this.nb = nb;
            this.n = nb * p.l();
            column = new int[n];
            origin = new int[n];
            int[] reg = new int[4 * g.kh() * g.wo()];
            int count = 0;
            for (int o0 = 0; o0 < g.wo(); ) {
                int lo = kjLo(o0, g);
                int hi = kjHi(o0, g);
                int o1 = o0 + 1;
                while (o1 < g.wo() && kjLo(o1, g) == lo && kjHi(o1, g) == hi) {
                    o1++;
                }
                int wc = o1 - o0;
                int base = nb * g.ho() * o0;
                for (int oh = 0; oh < g.ho(); oh++) {
                    for (int s = 0; s < nb; s++) {
                        for (int ow = o0; ow < o1; ow++) {
                            int c = base + (oh * nb + s) * wc + ow - o0;
                            column[s * p.l() + oh * g.wo() + ow] = c;
                            origin[c] = s * p.cin() * p.hw() + g.sh() * oh * g.w() + g.sw() * ow;
                        }
                    }
                }
                for (int ki = 0; ki < g.kh() && lo <= hi; ki++) {
                    int ohLo = Math.max(0, Math.floorDiv(g.ph() - ki + g.sh() - 1, g.sh()));
                    int ohHi = Math.min(g.ho(), Math.floorDiv(g.h() - 1 + g.ph() - ki, g.sh()) + 1);
                    if (ohHi > ohLo) {
                        reg[count++] = (ki * g.kw() + lo) * p.cin();
                        reg[count++] = (hi - lo + 1) * p.cin();
                        reg[count++] = base + ohLo * nb * wc;
                        reg[count++] = (ohHi - ohLo) * nb * wc;
                    }
                }
                o0 = o1;
            }
            regions = java.util.Arrays.copyOf(reg, count);
        }

        /** The first kernel column whose input column sw*ow + kj - pw is at least 0. */
        private static int kjLo(int ow, Im2col.Geo g) {
            return Math.max(0, g.pw() - g.sw() * ow);
        }

        /** The last kernel column whose input column is below W (below {@link #kjLo} when none is). */
        private static int kjHi(int ow, Im2col.Geo g) {
            return Math.min(g.kw() - 1, g.w() - 1 + g.pw() - g.sw() * ow);
        }
    }

    /** The offset, from a column's origin, of the input element col row r reads. */
    private static int rowOffset(int r, CpuConv.Plan p) {
        Im2col.Geo g = p.geo();
        int t = r / p.cin();
        int c = r % p.cin();
        return c * p.hw() + (t / g.kw() - g.ph()) * g.w() + t % g.kw() - g.pw();
    }

    /** The regions of col (off-heap, K x n) = the taps they stand for, gathered from the staged block xb. */
    private static void im2col(float[] xb, Layout lay, CpuStorage col, CpuConv.Plan p) {
        long base = OffHeap.floats(col, 0, (long) p.k() * lay.n);
        float[] row = HeapStage.scratch(2, lay.n);
        for (int i = 0; i < lay.regions.length; i += 4) {
            int c0 = lay.regions[i + 2];
            int nc = lay.regions[i + 3];
            for (int r = lay.regions[i], e = r + lay.regions[i + 1]; r < e; r++) {
                int off = rowOffset(r, p);
                for (int j = 0; j < nc; j++) {
                    row[j] = xb[lay.origin[c0 + j] + off];
                }
                OffHeap.copy(row, 0, base, r * lay.n + c0, nc);
            }
        }
    }

    /** xb (the staged block of gx, zeroed) += the regions of col (off-heap, K x n), each entry added where it came from. */
    private static void col2im(CpuStorage col, Layout lay, float[] xb, CpuConv.Plan p) {
        long base = OffHeap.floats(col, 0, (long) p.k() * lay.n);
        float[] row = HeapStage.scratch(2, lay.n);
        for (int i = 0; i < lay.regions.length; i += 4) {
            int c0 = lay.regions[i + 2];
            int nc = lay.regions[i + 3];
            for (int r = lay.regions[i], e = r + lay.regions[i + 1]; r < e; r++) {
                int off = rowOffset(r, p);
                OffHeap.copy(base, r * lay.n + c0, row, 0, nc);
                for (int j = 0; j < nc; j++) {
                    xb[lay.origin[c0 + j] + off] += row[j];
                }
            }
        }
    }

    /** work.blk (Cout x n) = the block of g from sample n0, in the layout's column order. */
    private static void loadChannelMajor(CpuStorage g, long gOff, int n0, Layout lay, Work work, CpuConv.Plan p) {
        int os = p.cout() * p.l();
        float[] sm = HeapStage.load(0, g.f32(), (int) (gOff + (long) n0 * os), lay.nb * os);
        float[] cm = HeapStage.scratch(3, p.cout() * lay.n);
        for (int s = 0; s < lay.nb; s++) {
            for (int co = 0; co < p.cout(); co++) {
                int src = (s * p.cout() + co) * p.l();
                int row = co * lay.n;
                for (int q = 0, at = s * p.l(); q < p.l(); q++, at++) {
                    cm[row + lay.column[at]] = sm[src + q];
                }
            }
        }
        work.blk.f32().put(0, cm, 0, p.cout() * lay.n);
    }

    /** A new off-heap copy of w (Cout x Cin x kh x kw) with each row in tap-major order: W'[co][t*Cin + c] = w[co][c*T + t]. */
    private static CpuStorage tapMajor(CpuStorage w, long wOff, CpuConv.Plan p) {
        int taps = p.geo().kh() * p.geo().kw();
        CpuStorage wt = new CpuStorage(DType.F32, (long) p.cout() * p.k(), false); // every row written below
        float[] tm = HeapStage.scratch(5, p.k());
        for (int co = 0; co < p.cout(); co++) {
            float[] row = HeapStage.load(2, w.f32(), (int) (wOff + (long) co * p.k()), p.k());
            for (int c = 0; c < p.cin(); c++) {
                for (int t = 0; t < taps; t++) {
                    tm[t * p.cin() + c] = row[c * taps + t];
                }
            }
            wt.f32().put(co * p.k(), tm, 0, p.k());
        }
        return wt;
    }

    /** gw[co][c*T + t] = dwt[co][t*Cin + c]: a tap-major gradient back in the weights' order. */
    private static void untapMajor(CpuStorage dwt, CpuStorage gw, CpuConv.Plan p) {
        int taps = p.geo().kh() * p.geo().kw();
        float[] row = HeapStage.scratch(5, p.k());
        for (int co = 0; co < p.cout(); co++) {
            float[] tm = HeapStage.load(2, dwt.f32(), co * p.k(), p.k());
            for (int c = 0; c < p.cin(); c++) {
                for (int t = 0; t < taps; t++) {
                    row[c * taps + t] = tm[t * p.cin() + c];
                }
            }
            gw.f32().put(co * p.k(), row, 0, p.k());
        }
    }
}
