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
 *
 * <p>Backward-data of a 3x3 stride-1 conv with padding p is the same kind of conv: dx = conv(dy,
 * w rotated 180 degrees with in and out channels swapped, padding 2 - p); {@link #backwardInput}
 * runs the same machinery on it, reading the forward's U transposed at permuted positions
 * ({@link #filters}). The filter gradient has its own class, {@link WinogradFilterGradient32}.
 *
 * <p>NOTE: the F(2x2) transforms only add, subtract and halve, so float32 keeps its accuracy
 * (ConvF32PathTest's 1e-5 against the float64 reference); F(4x4, 3x3) would save more but its
 * transforms (factors up to 8 and 1/24) lose several bits.
 *
 * <p>When it pays (measured, bench/README.md "Winograd F(2x2, 3x3)"): the GEMMs shrink 2.25x but
 * the transforms cost about 1 ns per element of V and M on the test host, so only convs with
 * many channels gain; CpuConv chooses.
 *
 * <p>Scratch per chunk of sample blocks: off-heap V and M (the GEMMs' operands), heap staging
 * slots (see {@link HeapStage}) 0 one input plane, 1 its zero-bordered copy, 4 one output
 * plane, and the output transform's 20 rows ({@link #ROWS}). The filters are transformed once
 * per call ({@link #filters}), the same U for the forward and backward-data.
 */
final class Winograd32 {
    private Winograd32() {}

    /** Transformed positions per tile (4 x 4). */
    static final int POS = 16;
    /** Tiles one block GEMM should reach ({@code -Dgradlab.winogradTiles}). */
    private static final int TARGET_TILES = Integer.getInteger("gradlab.winogradTiles", 160);
    /** Upper bound on V plus M of one block, in floats (16 MB). */
    private static final long MAX_BLOCK_FLOATS = 4L << 20;

    /** One conv as the Winograd core sees it: src (n, cin, h, w) padded by (qh, qw) into out (n, cout, ho, wo). */
    record TileGeo(int n, int cin, int cout, int h, int w, int qh, int qw) {
        int ho() {
            return h + 2 * qh - 2;
        }

        int wo() {
            return w + 2 * qw - 2;
        }

        int tilesH() {
            return (ho() + 1) / 2;
        }

        int tilesW() {
            return (wo() + 1) / 2;
        }

        int tilesPerSample() {
            return tilesH() * tilesW();
        }

        /** Rows and columns of the zero-bordered input plane every tile reads from (4 + 2 * (tiles - 1)). */
        int padH() {
            return 2 * tilesH() + 2;
        }

        int padW() {
            return 2 * tilesW() + 2;
        }
    }

    /** out = conv(x, w) + bias (bias may be null), every element written. */
    static void forward(CpuStorage x, long xOff, CpuStorage w, long wOff, float[] bias, CpuStorage out, CpuConv.Plan p) {
        Im2col.Geo g = p.geo();
        TileGeo s = new TileGeo(p.n(), p.cin(), p.cout(), g.h(), g.w(), g.ph(), g.pw());
        try (CpuStorage u = filters(w, wOff, p.cout(), p.cin())) {
            run(x, xOff, u, false, bias, out, s);
        }
    }

    /** gx = the input gradient of conv(x, w) for output gradient g: conv(g, rot180(w)^T, padding 2 - p). gx written whole. */
    static void backwardInput(CpuStorage g, long gOff, CpuStorage w, long wOff, CpuStorage gx, CpuConv.Plan p) {
        Im2col.Geo geo = p.geo();
        TileGeo s = new TileGeo(p.n(), p.cout(), p.cin(), geo.ho(), geo.wo(), 2 - geo.ph(), 2 - geo.pw());
        try (CpuStorage u = filters(w, wOff, p.cout(), p.cin())) {
            run(g, gOff, u, true, null, gx, s);
        }
    }

    /**
     * U (off-heap, 16 positions {@link #positionStride}(Cout, Cin) apart, U[pos] row-major Cout x
     * Cin) = G f G^T for every filter f = w[co][ci]. Per filter row [a b c] the product with G^T
     * is [a, (a+b+c)/2, (a-b+c)/2, c]; G f does the same down the columns. Each output channel's
     * 16 rows are built in heap arrays and copied out whole; output channels split across threads.
     * NOTE: backward-data needs the filters turned 180 degrees with the channels swapped; since
     * G J = P G (J the 3x3 flip, P the 4x4 permutation swapping 0 and 3), their transform is
     * P U[co][ci] P^T, i.e. U at position {@link #rotated} read transposed: {@link #run}'s GEMM
     * reads this same U with transA instead of a second, strided transform.
     */
    private static CpuStorage filters(CpuStorage w, long wOff, int cout, int cin) {
        int step = positionStride(cout, cin);
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

    /** Samples per block GEMM: about {@code targetTiles} tiles, V + M within bounds, every thread a block. */
    static int samplesPerBlock(TileGeo s, int targetTiles) {
        int tps = s.tilesPerSample();
        int nb = (targetTiles + tps - 1) / tps;
        long perSample = (long) POS * (s.cin() + s.cout()) * tps;
        nb = (int) Math.min(nb, Math.max(1, MAX_BLOCK_FLOATS / perSample));
        nb = Math.min(nb, (s.n() + Parallel.threads() - 1) / Parallel.threads());
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
     * Off-heap V (16 x Cin x T) and M (16 x Cout x T) of one chunk, positions {@link #positionStride}
     * apart; every rows x T matrix is written whole before it is read, the gaps are never touched.
     */
    static final class Work implements AutoCloseable {
        final CpuStorage v;
        final CpuStorage m;

        Work(TileGeo s, int tiles) {
            v = new CpuStorage(DType.F32, (long) POS * positionStride(s.cin(), tiles), false);
            m = new CpuStorage(DType.F32, (long) POS * positionStride(s.cout(), tiles), false);
        }

        @Override
        public void close() {
            v.close();
            m.close();
        }
    }

    /**
     * dst = conv3x3(src, U) + bias for every sample: the blocks of samples split across threads
     * ({@link Parallel}); blocks write disjoint samples of dst. With {@code turned}, U holds the
     * transform of the conv's own filters (s.cin x s.cout per position) and the GEMM reads it
     * transposed at the {@link #rotated} position (backward-data, see {@link #filters}).
     */
    private static void run(CpuStorage src, long srcOff, CpuStorage u, boolean turned, float[] bias, CpuStorage dst,
                            TileGeo s) {
        int nb = samplesPerBlock(s, TARGET_TILES);
        int blocks = (s.n() + nb - 1) / nb;
        int tps = s.tilesPerSample();
        Parallel.forChunks(blocks, 1, (chunk, b0, b1) -> {
            try (Work work = new Work(s, nb * tps)) {
                float[] pad = HeapStage.scratch(1, s.padH() * s.padW());
                java.util.Arrays.fill(pad, 0, s.padH() * s.padW(), 0f); // the border stays zero, the interior is rewritten
                for (int b = b0; b < b1; b++) {
                    int n0 = b * nb;
                    int nbk = Math.min(nb, s.n() - n0);
                    int tiles = nbk * tps;
                    inputTransform(src, srcOff, n0, nbk, s, pad, work.v);
                    for (int pos = 0; pos < POS; pos++) {
                        long uAt = (long) (turned ? rotated(pos) : pos) * positionStride(s.cout(), s.cin());
                        Blas.sgemm(turned, false, s.cout(), tiles, s.cin(), 1f, u.buffer(), uAt, turned ? s.cout() : s.cin(),
                                work.v.buffer(), (long) pos * positionStride(s.cin(), tiles), tiles, 0f,
                                work.m.buffer(), (long) pos * positionStride(s.cout(), tiles), tiles);
                    }
                    outputTransform(work.m, n0, nbk, s, bias, dst);
                }
            }
        });
    }

    /**
     * V[pos][c][t] (off-heap, T = nbk tiles per sample) = B^T d B for every tile t of samples
     * [n0, n0 + nbk) and input channel c, d the tile's 4x4 patch of the zero-bordered plane:
     * the rows r0..r3 of d first combined as B^T does (r0 - r2, r1 + r2, r2 - r1, r1 - r3), then
     * the four columns c0..c3 of each combined row the same way. NOTE: one tile per loop turn,
     * all 16 values in registers: four loops per tile row, each only a few turns (7 tiles at
     * 14x14), were slower (bench/README.md, "Winograd F(2x2, 3x3)").
     */
    static void inputTransform(CpuStorage src, long srcOff, int n0, int nbk, TileGeo s, float[] pad, CpuStorage v) {
        int h = s.h();
        int w = s.w();
        int wp = s.padW();
        int tw = s.tilesW();
        int tps = s.tilesPerSample();
        int tiles = nbk * tps;
        int step = positionStride(s.cin(), tiles);
        long vb = OffHeap.floats(v, 0, (long) POS * step);
        float[] plane = HeapStage.scratch(0, h * w);
        float[][] rows = tileRows(tiles);
        for (int c = 0; c < s.cin(); c++) {
            for (int sm = 0; sm < nbk; sm++) {
                src.f32().get((int) (srcOff + ((long) (n0 + sm) * s.cin() + c) * h * w), plane, 0, h * w);
                for (int y = 0; y < h; y++) {
                    System.arraycopy(plane, y * w, pad, (y + s.qh()) * wp + s.qw(), w);
                }
                for (int i = 0; i < s.tilesH(); i++) {
                    tileRow(pad, 2 * i * wp, wp, tw, rows, sm * tps + i * tw);
                }
            }
            for (int k = 0; k < POS; k++) {
                OffHeap.copy(rows[k], 0, vb, k * step + c * tiles, tiles);
            }
        }
    }

    /**
     * Per-thread heap rows of the input transform, one per position, each one channel's tiles of a block: the
     * tile loop stores to them and each is copied out whole. NOTE: storing straight into V's 16
     * off-heap rows was ~30 % slower per element (a throwaway probe, 64 channels at 28x28).
     */
    private static final ThreadLocal<float[][]> TILE_ROWS = ThreadLocal.withInitial(() -> new float[POS][0]);

    static float[][] tileRows(int n) {
        float[][] r = TILE_ROWS.get();
        if (r[0].length < n) {
            for (int k = 0; k < POS; k++) {
                r[k] = new float[n];
            }
        }
        return r;
    }

    /** rows[pos][t0, t0 + tw) = B^T d B of the tw tiles whose patches start at row {@code r0} of pad. */
    private static void tileRow(float[] pad, int r0, int wp, int tw, float[][] rows, int t0) {
        int r1 = r0 + wp;
        int r2 = r1 + wp;
        int r3 = r2 + wp;
        float[] v0 = rows[0], v1 = rows[1], v2 = rows[2], v3 = rows[3], v4 = rows[4], v5 = rows[5], v6 = rows[6];
        float[] v7 = rows[7], v8 = rows[8], v9 = rows[9], v10 = rows[10], v11 = rows[11], v12 = rows[12], v13 = rows[13];
        float[] v14 = rows[14], v15 = rows[15];
        for (int j = 0; j < tw; j++) {
            int x = 2 * j;
            float d00 = pad[r0 + x], d01 = pad[r0 + x + 1], d02 = pad[r0 + x + 2], d03 = pad[r0 + x + 3];
            float d10 = pad[r1 + x], d11 = pad[r1 + x + 1], d12 = pad[r1 + x + 2], d13 = pad[r1 + x + 3];
            float d20 = pad[r2 + x], d21 = pad[r2 + x + 1], d22 = pad[r2 + x + 2], d23 = pad[r2 + x + 3];
            float d30 = pad[r3 + x], d31 = pad[r3 + x + 1], d32 = pad[r3 + x + 2], d33 = pad[r3 + x + 3];
            int t = t0 + j;
            // the rows combined as B^T does (r0 - r2, r1 + r2, r2 - r1, r1 - r3), then each one's columns the same way
            float a0 = d00 - d20, a1 = d01 - d21, a2 = d02 - d22, a3 = d03 - d23;
            v0[t] = a0 - a2;
            v1[t] = a1 + a2;
            v2[t] = a2 - a1;
            v3[t] = a1 - a3;
            a0 = d10 + d20;
            a1 = d11 + d21;
            a2 = d12 + d22;
            a3 = d13 + d23;
            v4[t] = a0 - a2;
            v5[t] = a1 + a2;
            v6[t] = a2 - a1;
            v7[t] = a1 - a3;
            a0 = d20 - d10;
            a1 = d21 - d11;
            a2 = d22 - d12;
            a3 = d23 - d13;
            v8[t] = a0 - a2;
            v9[t] = a1 + a2;
            v10[t] = a2 - a1;
            v11[t] = a1 - a3;
            a0 = d10 - d30;
            a1 = d11 - d31;
            a2 = d12 - d32;
            a3 = d13 - d33;
            v12[t] = a0 - a2;
            v13[t] = a1 + a2;
            v14[t] = a2 - a1;
            v15[t] = a1 - a3;
        }
    }

    /**
     * Per-thread heap rows of the output transform: the 16 positions of M for a run of output
     * channels and the tiles' four results; each its own array, so that the loop over tiles
     * reads and writes them all at one index (the loop shape the JDK 17 JIT can vectorise).
     */
    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[POS + 4][0]);

    private static float[][] rows(int n) {
        float[][] r = ROWS.get();
        for (int k = 0; k < r.length; k++) {
            if (r[k].length < n) {
                r[k] = new float[Math.max(n, r[k].length + r[k].length / 2)];
            }
        }
        return r;
    }

    /**
     * dst (samples [n0, n0 + nbk), every element) = A^T m A + bias for every tile and output
     * channel, m the tile's 16 values of M[pos][co][t]: per column of m, [m0 + m1 + m2,
     * m1 - m2 - m3] down the rows, then the same along each of the two rows; the second output
     * row and column are dropped where they fall outside an odd output plane.
     */
    private static void outputTransform(CpuStorage m, int n0, int nbk, TileGeo s, float[] bias, CpuStorage dst) {
        int ho = s.ho();
        int wo = s.wo();
        int tiles = nbk * s.tilesPerSample();
        int st = positionStride(s.cout(), tiles);
        long mb = OffHeap.floats(m, 0, (long) POS * st);
        float[] out = HeapStage.scratch(4, ho * wo);
        // output channels [co0, co0 + cb) at a time: each position's rows of them are one run of M, one copy
        int cb = Math.max(1, Math.min(s.cout(), COPY_FLOATS / tiles));
        float[][] r = rows(cb * tiles);
        for (int co0 = 0; co0 < s.cout(); co0 += cb) {
            int cn = Math.min(cb, s.cout() - co0);
            int len = cn * tiles;
            for (int k = 0; k < POS; k++) {
                OffHeap.copy(mb, k * st + co0 * tiles, r[k], 0, len);
            }
            columnSums(r, len);
            float[] y00 = r[POS];
            float[] y01 = r[POS + 1];
            float[] y10 = r[POS + 2];
            float[] y11 = r[POS + 3];
            combine(y00, r[0], r[1], r[2], 1, len); // y00 = p0 + p1 + p2, y01 = p1 - p2 - p3
            combine(y01, r[1], r[2], r[3], -1, len);
            combine(y10, r[12], r[13], r[14], 1, len); // the same along q0..q3
            combine(y11, r[13], r[14], r[15], -1, len);
            for (int co = co0; co < co0 + cn; co++) {
                float b = bias == null ? 0f : bias[co];
                for (int sm = 0; sm < nbk; sm++) {
                    scatterTiles(y00, y01, y10, y11, (co - co0) * tiles + sm * s.tilesPerSample(), b, s, out);
                    dst.f32().put((int) (((long) (n0 + sm) * s.cout() + co) * ho * wo), out, 0, ho * wo);
                }
            }
        }
    }

    /**
     * In place, for each column c of the tiles' 4x4 m (rows m[c], m[4+c], m[8+c], m[12+c]):
     * m[12+c] = m[4+c] - m[8+c] - m[12+c] (q_c), then m[c] = m[c] + m[4+c] + m[8+c] (p_c), the two
     * rows of A^T m. NOTE: short loops of three arrays at one index, which C2 vectorises; the
     * same sums in one loop over all 20 rows stayed scalar (0.43 against 0.18 ns per element of M
     * with the copies, a throwaway probe at 64 channels, 28x28). Same operations in the same
     * order, so the same bits.
     */
    private static void columnSums(float[][] m, int len) {
        for (int c = 0; c < 4; c++) {
            float[] a0 = m[c];
            float[] a1 = m[4 + c];
            float[] a2 = m[8 + c];
            float[] a3 = m[12 + c];
            for (int t = 0; t < len; t++) {
                a3[t] = a1[t] - a2[t] - a3[t];
            }
            for (int t = 0; t < len; t++) {
                a0[t] = a0[t] + a1[t] + a2[t];
            }
        }
    }

    /** y = a + b + c ({@code sign} 1) or a - b - c ({@code sign} -1), over [0, len). */
    private static void combine(float[] y, float[] a, float[] b, float[] c, int sign, int len) {
        if (sign > 0) {
            for (int t = 0; t < len; t++) {
                y[t] = a[t] + b[t] + c[t];
            }
        } else {
            for (int t = 0; t < len; t++) {
                y[t] = a[t] - b[t] - c[t];
            }
        }
    }

    /** Floats per position the output transform copies from M at once (16 such rows and 4 result rows: 320 KB). */
    private static final int COPY_FLOATS = 4096;

    /** out (one output plane, written whole) = the 2x2 results of its tiles from t0 plus b, cropped at odd edges. */
    private static void scatterTiles(float[] y00, float[] y01, float[] y10, float[] y11, int t0, float b, TileGeo s,
                                     float[] out) {
        int ho = s.ho();
        int wo = s.wo();
        int tw = s.tilesW();
        int pairs = wo / 2; // tiles whose two columns both exist
        for (int i = 0, t = t0; i < s.tilesH(); i++, t += tw) {
            int o = 2 * i * wo;
            for (int j = 0; j < pairs; j++) {
                out[o + 2 * j] = y00[t + j] + b;
                out[o + 2 * j + 1] = y01[t + j] + b;
            }
            if (pairs < tw) {
                out[o + wo - 1] = y00[t + pairs] + b;
            }
            if (2 * i + 1 < ho) {
                o += wo;
                for (int j = 0; j < pairs; j++) {
                    out[o + 2 * j] = y10[t + j] + b;
                    out[o + 2 * j + 1] = y11[t + j] + b;
                }
                if (pairs < tw) {
                    out[o + wo - 1] = y10[t + pairs] + b;
                }
            }
        }
    }
}
