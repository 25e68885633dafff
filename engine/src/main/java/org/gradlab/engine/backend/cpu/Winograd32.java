package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;
import org.gradlab.natives.Blas;

/**
 * float32 3x3 stride-1 conv (groups 1) by Winograd's minimal filtering F(2x2, 3x3): each 2x2
 * block of outputs ("tile") of one output channel costs 16 multiplies per input channel instead
 * of 36, 2.25x fewer multiply-adds than im2col + GEMM. With d the 4x4 input patch of a tile
 * (rows 2i-pad .. 2i-pad+3, zero outside the input), g one 3x3 filter and
 * <pre>
 *   B^T = | 1  0 -1  0 |      G = | 1    0    0  |      A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |          | 1/2  1/2  1/2 |            | 0  1 -1 -1 |
 *         | 0 -1  1  0 |          | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |          | 0    0    1  |
 * </pre>
 * the tile's outputs are Y = A^T [ sum over c of (G g_c G^T) (.) (B^T d_c B) ] A, (.) the
 * elementwise product. So, per block of samples: U = G g G^T for every filter (16 x Cout x Cin),
 * V = B^T d B for every tile and input channel (16 x Cin x T), then for each of the 16 positions
 * ONE sgemm M[pos] (Cout x T) = U[pos] (Cout x Cin) * V[pos] (Cin x T), then Y = A^T m A per tile
 * and output channel, cropped at the right and bottom edges of an odd output plane, plus bias.
 * F(4x4, 3x3) ({@link WinogradTile#F4X4}, transforms in {@link Winograd4x4Transforms32} and
 * {@link Winograd4x4Filters32}) runs the same driver with 6x6 patches, 36 positions and 4x4
 * tiles: 4x fewer multiply-adds than im2col + GEMM.
 *
 * <p>Backward-data of a 3x3 stride-1 conv with padding p is the same kind of conv: dx = conv(dy,
 * w rotated 180 degrees with in and out channels swapped, padding 2 - p); {@link #backwardInput}
 * runs the same machinery on it, reading the forward's U transposed at permuted positions
 * ({@link #filters}; F(4x4) transforms the turned filters instead). The filter gradient has its
 * own class, {@link WinogradFilterGradient32}; {@link WinogradBackward32} runs backward-data and
 * the filter gradient as one pass over {@link #block}.
 *
 * <p>NOTE: the F(2x2) transforms only add, subtract and halve, so float32 keeps its accuracy
 * (ConvF32PathTest's 1e-5 against the float64 reference); F(4x4)'s (factors up to 8 and 1/24)
 * lose a few bits, about 5-10x F(2x2)'s error (measured in {@link Winograd4x4Transforms32}).
 *
 * <p>When it pays (measured, bench/README.md "Winograd F(2x2, 3x3)" and "Winograd F(4x4, 3x3)"):
 * the GEMMs shrink 2.25x (4x) but the transforms cost about 0.5-1.4 ns per element of V and M on
 * the test host, so convs with few channels (Cin = 3) lose; CpuConv chooses the path and the tile.
 *
 * <p>Scratch per chunk of sample blocks: off-heap V and M (the GEMMs' operands), heap staging
 * slots (see {@link HeapStage}) 0 one input plane, 1 its zero-bordered copy, 4 one output
 * plane, and the transforms' heap rows ({@link WinogradTransforms32}). The filters are transformed once
 * per call ({@link #filters}), the same U for the forward and backward-data.
 */
final class Winograd32 {
    private Winograd32() {}

    /** Transformed positions per F(2x2) tile (4 x 4). */
    static final int POS = WinogradTile.F2X2.positions();
    /** Tiles one F(2x2) block GEMM should reach ({@code -Dgradlab.winogradTiles}). */
    private static final int TARGET_TILES = Integer.getInteger("gradlab.winogradTiles", 160);
    /**
     * The same for F(4x4) ({@code -Dgradlab.winograd4x4Tiles}). NOTE: 96, not 160: exp 08's 64->128
     * at 7x7 then runs blocks of 24 and 8 samples instead of one of 32, its forward + both gradients
     * 6.03-6.33 against 6.63-6.98 ms (ConvStepCpuTime) and 0.45 ms less in an exp-08 step; ResNet-18's
     * 64 at 28x28 and 128 at 14x14 within their spread; F(2x2)'s 32->64 at 14x14 was slower in the
     * step with blocks of 2 samples instead of 4, so F(2x2) keeps 160 (bench/README.md, "Winograd
     * backward: one transform of dY").
     */
    private static final int TARGET_TILES_4X4 = Integer.getInteger("gradlab.winograd4x4Tiles", 96);
    /** Upper bound on V plus M of one block, in floats (16 MB). */
    private static final long MAX_BLOCK_FLOATS = 4L << 20;

    /**
     * One conv as the Winograd core sees it: src (n, cin, h, w) padded by (qh, qw) into out (n, cout, ho, wo),
     * in tiles of {@code tile.m} x {@code tile.m} outputs.
     */
    record TileGeo(WinogradTile tile, int n, int cin, int cout, int h, int w, int qh, int qw) {
        int positions() {
            return tile.positions();
        }

        int ho() {
            return h + 2 * qh - 2;
        }

        int wo() {
            return w + 2 * qw - 2;
        }

        int tilesH() {
            return (ho() + tile.m - 1) / tile.m;
        }

        int tilesW() {
            return (wo() + tile.m - 1) / tile.m;
        }

        int tilesPerSample() {
            return tilesH() * tilesW();
        }

        /** Rows and columns of the zero-bordered input plane every tile reads from (m * tiles + 2). */
        int padH() {
            return tile.m * tilesH() + 2;
        }

        int padW() {
            return tile.m * tilesW() + 2;
        }
    }

    /** out = conv(x, w) + bias (bias may be null) by F(m x m, 3x3) of {@code tile}, every element written. */
    static void forward(CpuStorage x, long xOff, CpuStorage w, long wOff, float[] bias, CpuStorage out, CpuConv.Plan p,
                        WinogradTile tile) {
        Im2col.Geo g = p.geo();
        TileGeo s = new TileGeo(tile, p.n(), p.cin(), p.cout(), g.h(), g.w(), g.ph(), g.pw());
        try (CpuStorage u = tile == WinogradTile.F2X2 ? filters(w, wOff, p.cout(), p.cin())
                : Winograd4x4Filters32.filters(w, wOff, p.cout(), p.cin(), false)) {
            run(x, xOff, u, false, bias, out, s);
        }
    }

    /**
     * gx = the input gradient of conv(x, w) for output gradient g: conv(g, rot180(w)^T, padding 2 - p). gx written whole.
     * NOTE: F(2x2) reads the forward's U turned ({@link #filters}); F(4x4)'s points +-2 do not map to
     * each other under the flip, so it transforms the turned filters themselves.
     */
    static void backwardInput(CpuStorage g, long gOff, CpuStorage w, long wOff, CpuStorage gx, CpuConv.Plan p,
                              WinogradTile tile) {
        Im2col.Geo geo = p.geo();
        TileGeo s = new TileGeo(tile, p.n(), p.cout(), p.cin(), geo.ho(), geo.wo(), 2 - geo.ph(), 2 - geo.pw());
        boolean f2 = tile == WinogradTile.F2X2;
        try (CpuStorage u = f2 ? filters(w, wOff, p.cout(), p.cin())
                : Winograd4x4Filters32.filters(w, wOff, p.cout(), p.cin(), true)) {
            run(g, gOff, u, f2, null, gx, s);
        }
    }

    /**
     * U (off-heap, 16 x Cout x Cin, U[pos] row-major Cout x Cin) = G f G^T for every filter
     * f = w[co][ci]. Per filter row [a b c] the product with G^T is [a, (a+b+c)/2, (a-b+c)/2, c];
     * G f does the same down the columns. Each output channel's 16 rows are built in heap arrays
     * and copied out whole: storing each filter's 16 values straight into U (16 streams Cout x Cin
     * floats apart, all in one cache set when that is a multiple of 4 KiB) made the forward of a
     * 512-channel conv at 4x4 take 28.4 ms instead of 20.4 (batch 32, ConvStepCpuTime; the
     * backward-data's turned copy 34.3 instead of 22.5). Output channels split across threads.
     * NOTE: backward-data needs the filters turned 180 degrees with the channels swapped; since
     * G J = P G (J the 3x3 flip, P the 4x4 permutation swapping 0 and 3), their transform is
     * P U[co][ci] P^T, i.e. U at position {@link #rotated} read transposed: {@link #run}'s GEMM
     * reads this same U with transA instead of a second, strided transform.
     */
    static CpuStorage filters(CpuStorage w, long wOff, int cout, int cin) {
        int step = cout * cin;
        CpuStorage u = new CpuStorage(DType.F32, (long) POS * step, false); // every U[pos] written below, gaps never read
        long dst = OffHeap.floats(u, 0, (long) POS * step);
        Parallel.forChunks(cout, Parallel.grain(POS * 9L * cin), (chunk, co0, co1) -> {
            float[] f = new float[9 * cin];
            float[][] rows = new float[POS][cin];
            for (int co = co0; co < co1; co++) {
                w.f32().get((int) (wOff + (long) co * cin * 9), f, 0, 9 * cin);
                for (int ci = 0; ci < cin; ci++) {
                    transformFilter(f, 9 * ci, rows, ci);
                }
                for (int k = 0; k < POS; k++) {
                    OffHeap.copy(rows[k], 0, dst, k * step + co * cin, cin);
                }
            }
        });
        return u;
    }

    /** rows[pos][at] = (G f G^T)[pos] for the 3x3 filter f at f[from, from + 9), in double, rounded once. */
    private static void transformFilter(float[] f, int from, float[][] rows, int at) {
        double a0 = f[from], a1 = f[from + 1], a2 = f[from + 2]; // the filter's rows a, b, c
        double b0 = f[from + 3], b1 = f[from + 4], b2 = f[from + 5];
        double c0 = f[from + 6], c1 = f[from + 7], c2 = f[from + 8];
        filterRow(rows, 0, at, a0, a1, a2); // the rows of G f: a, (a+b+c)/2, (a-b+c)/2, c
        filterRow(rows, 4, at, (a0 + b0 + c0) / 2, (a1 + b1 + c1) / 2, (a2 + b2 + c2) / 2);
        filterRow(rows, 8, at, (a0 - b0 + c0) / 2, (a1 - b1 + c1) / 2, (a2 - b2 + c2) / 2);
        filterRow(rows, 12, at, c0, c1, c2);
    }

    /** rows[k .. k + 3][at] = one row [a b c] of G f times G^T: [a, (a+b+c)/2, (a-b+c)/2, c]. */
    private static void filterRow(float[][] rows, int k, int at, double a, double b, double c) {
        rows[k][at] = (float) a;
        rows[k + 1][at] = (float) ((a + b + c) / 2);
        rows[k + 2][at] = (float) ((a - b + c) / 2);
        rows[k + 3][at] = (float) c;
    }

    /** The position of U that holds position {@code pos} of the turned filters' transform: rows and columns 0 and 3 swapped. */
    static int rotated(int pos) {
        int r = pos / 4;
        int c = pos % 4;
        return 4 * swap03(r) + swap03(c);
    }

    private static int swap03(int i) {
        return i == 0 ? 3 : i == 3 ? 0 : i;
    }

    /**
     * Tiles a block of the forward or backward-data aims at: {@link #TARGET_TILES} (F(4x4): {@link
     * #TARGET_TILES_4X4}) times Cin * Cout / 128^2, at least 1 and at most 4: those GEMMs pack
     * a Cout x Cin U[pos] of 256 KB to 1 MB per call, which more columns amortise (ConvStepCpuTime,
     * bench/README.md "Winograd filter gradient and faster transforms").
     */
    static int targetTiles(TileGeo s) {
        long scale = (long) s.cin() * s.cout() / (128 * 128);
        int target = s.tile() == WinogradTile.F2X2 ? TARGET_TILES : TARGET_TILES_4X4;
        return (int) (target * Math.max(1, Math.min(4, scale)));
    }

    /**
     * Blocks each thread gets at least when there are several threads
     * ({@code -Dgradlab.winogradBlocksPerThread}): with more blocks than threads, a pool thread that
     * starts late leaves some of its blocks to the caller ({@link Parallel#forClaimed}).
     */
    private static final int BLOCKS_PER_THREAD = Math.max(1, Integer.getInteger("gradlab.winogradBlocksPerThread", 1));

    /**
     * Samples per block GEMM: about {@code targetTiles} tiles, V + M within bounds, every thread a
     * block ({@link #BLOCKS_PER_THREAD} with several threads).
     */
    static int samplesPerBlock(TileGeo s, int targetTiles) {
        int tps = s.tilesPerSample();
        int nb = (targetTiles + tps - 1) / tps;
        long perSample = (long) s.positions() * (s.cin() + s.cout()) * tps;
        nb = (int) Math.min(nb, Math.max(1, MAX_BLOCK_FLOATS / perSample));
        long shares = Parallel.threads() == 1 ? 1 : (long) Parallel.threads() * BLOCKS_PER_THREAD;
        nb = (int) Math.min(nb, (s.n() + shares - 1) / shares);
        return Math.max(1, Math.min(nb, s.n()));
    }

    /**
     * Floats from one position's matrix (rows x T) to the next in V and M. NOTE: a multiple of
     * 1024 floats plus 64, so that the 16 positions of a tile, written or read together, lie
     * 256 bytes apart modulo 4 KiB; a plain rows x T stride is often a multiple of 4 KiB, which
     * puts all 16 in the same L1 set (a guard; not measured on its own on the loaded host).
     */
    static int positionStride(int rows, int tiles) {
        return (rows * tiles + 1023) / 1024 * 1024 + 64;
    }

    /**
     * Off-heap V (positions x Cin x T) and M (positions x Cout x T) of one chunk, positions {@link #positionStride}
     * apart; every rows x T matrix is written whole before it is read, the gaps are never touched.
     */
    static final class Work implements AutoCloseable {
        final CpuStorage v;
        final CpuStorage m;

        Work(TileGeo s, int tiles) {
            v = new CpuStorage(DType.F32, (long) s.positions() * positionStride(s.cin(), tiles), false);
            m = new CpuStorage(DType.F32, (long) s.positions() * positionStride(s.cout(), tiles), false);
        }

        @Override
        public void close() {
            v.close();
            m.close();
        }
    }

    /**
     * dst = conv3x3(src, U) + bias for every sample: the blocks of samples claimed one at a time by
     * whichever thread is free ({@link Parallel#forClaimed}: a late pool thread's blocks go to the
     * caller); blocks write disjoint samples of dst, so who ran which changes no bit. With {@code turned} (F(2x2) only), U holds the
     * transform of the conv's own filters (s.cin x s.cout per position) and the GEMM reads it
     * transposed at the {@link #rotated} position (backward-data, see {@link #filters}).
     */
    private static void run(CpuStorage src, long srcOff, CpuStorage u, boolean turned, float[] bias, CpuStorage dst,
                            TileGeo s) {
        int nb = samplesPerBlock(s, targetTiles(s));
        int blocks = (s.n() + nb - 1) / nb;
        int tps = s.tilesPerSample();
        Parallel.forClaimed(blocks, 1, () -> new Parallel.Claimant() {
            final Work work = new Work(s, nb * tps);
            final float[] pad = HeapStage.zeroed(1, s.padH() * s.padW()); // the border stays zero, the interior is rewritten

            @Override
            public void run(int b) {
                int n0 = b * nb;
                block(src, srcOff, n0, Math.min(nb, s.n() - n0), u, turned, bias, dst, s, pad, work);
            }

            @Override
            public void close() {
                work.close();
            }
        });
    }

    /**
     * One block of samples [n0, n0 + nbk) of {@link #run}: V of src into work.v (kept there: the
     * combined backward reads it again, {@link WinogradBackward32}), the GEMMs into work.m, the
     * output transform into dst.
     */
    static void block(CpuStorage src, long srcOff, int n0, int nbk, CpuStorage u, boolean turned, float[] bias,
                      CpuStorage dst, TileGeo s, float[] pad, Work work) {
        int tiles = nbk * s.tilesPerSample();
        WinogradTransforms32.input(src, srcOff, n0, nbk, s, pad, work.v);
        for (int pos = 0; pos < s.positions(); pos++) {
            long uAt = (long) (turned ? rotated(pos) : pos) * s.cout() * s.cin();
            Blas.sgemm(turned, false, s.cout(), tiles, s.cin(), 1f, u.buffer(), uAt, turned ? s.cout() : s.cin(),
                    work.v.buffer(), (long) pos * positionStride(s.cin(), tiles), tiles, 0f,
                    work.m.buffer(), (long) pos * positionStride(s.cout(), tiles), tiles);
        }
        if (s.tile() == WinogradTile.F2X2) {
            WinogradTransforms32.output(work.m, n0, nbk, s, bias, dst);
        } else {
            Winograd4x4Transforms32.output(work.m, n0, nbk, s, bias, dst);
        }
    }
}
