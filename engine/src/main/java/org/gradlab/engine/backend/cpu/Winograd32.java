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
 * V = B^T d B for every tile and input channel (Cin x 16 x T), then for each of the 16 positions
 * ONE sgemm M[pos] (Cout x T) = U[pos] (Cout x Cin) * V[pos] (Cin x T), then Y = A^T m A per tile
 * and output channel, cropped at the right and bottom edges of an odd output plane, plus bias.
 *
 * <p>Backward-data of a 3x3 stride-1 conv with padding p is the same kind of conv: dx = conv(dy,
 * w rotated 180 degrees with in and out channels swapped, padding 2 - p); {@link #backwardInput}
 * runs the same machinery on it. The filter gradient stays on im2col + GEMM (CpuConv).
 *
 * <p>NOTE: the F(2x2) transforms only add, subtract and halve, so float32 keeps its accuracy
 * (ConvF32PathTest's 1e-5 against the float64 reference); F(4x4, 3x3) would save more but its
 * transforms (factors up to 8 and 1/24) lose several bits.
 *
 * <p>Scratch per chunk of sample blocks: off-heap V and M (the GEMM's operands), heap staging
 * slots (see {@link HeapStage}) 0 one input plane, 1 its zero-bordered copy, 2 the four row
 * combinations, 3 one channel's transforms, 4 one output plane. The filters are transformed
 * once per call, read and written in off-heap memory (no heap copy of them).
 */
final class Winograd32 {
    private Winograd32() {}

    /** Transformed positions per tile (4 x 4). */
    private static final int POS = 16;
    /** Tiles one block GEMM should reach ({@code -Dgradlab.winogradTiles}). */
    private static final int TARGET_TILES = Integer.getInteger("gradlab.winogradTiles", 512);
    /** Upper bound on V plus M of one block, in floats (16 MB). */
    private static final long MAX_BLOCK_FLOATS = 4L << 20;

    /** One conv as the Winograd core sees it: src (n, cin, h, w) padded by (qh, qw) into out (n, cout, ho, wo). */
    private record TileGeo(int n, int cin, int cout, int h, int w, int qh, int qw) {
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
        try (CpuStorage u = filters(w, wOff, p.cout(), p.cin(), false)) {
            run(x, xOff, u, bias, out, s);
        }
    }

    /** gx = the input gradient of conv(x, w) for output gradient g: conv(g, rot180(w)^T, padding 2 - p). gx written whole. */
    static void backwardInput(CpuStorage g, long gOff, CpuStorage w, long wOff, CpuStorage gx, CpuConv.Plan p) {
        Im2col.Geo geo = p.geo();
        TileGeo s = new TileGeo(p.n(), p.cout(), p.cin(), geo.ho(), geo.wo(), 2 - geo.ph(), 2 - geo.pw());
        try (CpuStorage u = filters(w, wOff, p.cout(), p.cin(), true)) {
            run(g, gOff, u, null, gx, s);
        }
    }

    /**
     * U (off-heap, 16 x A x B, U[pos] row-major A x B) = G f G^T for every filter f: with
     * {@code rotated} false, A = Cout, B = Cin and f = w[a][b]; with it true (backward-data),
     * A = Cin, B = Cout and f = w[b][a] turned 180 degrees. Per filter row [a b c] the product
     * with G^T is [a, (a+b+c)/2, (a-b+c)/2, c]; G f does the same down the columns.
     */
    private static CpuStorage filters(CpuStorage w, long wOff, int cout, int cin, boolean rotated) {
        int plane = cout * cin; // rows x cols of one U[pos]
        long src = OffHeap.floats(w, wOff, (long) plane * 9);
        CpuStorage u = new CpuStorage(DType.F32, (long) POS * plane, false); // every element written below
        long dst = OffHeap.floats(u, 0, (long) POS * plane);
        double[] f = new double[9];
        double[] t = new double[12];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int at = (co * cin + ci) * 9;
                for (int k = 0; k < 9; k++) {
                    f[k] = OffHeap.get(src, at + (rotated ? 8 - k : k));
                }
                for (int c = 0; c < 3; c++) { // t (4 x 3) = G f
                    t[c] = f[c];
                    t[3 + c] = (f[c] + f[3 + c] + f[6 + c]) / 2;
                    t[6 + c] = (f[c] - f[3 + c] + f[6 + c]) / 2;
                    t[9 + c] = f[6 + c];
                }
                int cell = rotated ? ci * cout + co : co * cin + ci;
                for (int r = 0; r < 4; r++) { // u = t G^T
                    double a = t[3 * r];
                    double b = t[3 * r + 1];
                    double c = t[3 * r + 2];
                    OffHeap.put(dst, (4 * r) * plane + cell, (float) a);
                    OffHeap.put(dst, (4 * r + 1) * plane + cell, (float) ((a + b + c) / 2));
                    OffHeap.put(dst, (4 * r + 2) * plane + cell, (float) ((a - b + c) / 2));
                    OffHeap.put(dst, (4 * r + 3) * plane + cell, (float) c);
                }
            }
        }
        return u;
    }

    /** Samples per block GEMM: about {@link #TARGET_TILES} tiles, V + M within bounds, every thread a block. */
    private static int samplesPerBlock(TileGeo s) {
        int tps = s.tilesPerSample();
        int nb = (TARGET_TILES + tps - 1) / tps;
        long perSample = (long) POS * (s.cin() + s.cout()) * tps;
        nb = (int) Math.min(nb, Math.max(1, MAX_BLOCK_FLOATS / perSample));
        nb = Math.min(nb, (s.n() + Parallel.threads() - 1) / Parallel.threads());
        return Math.max(1, Math.min(nb, s.n()));
    }

    /** Off-heap V (Cin x 16 x T) and M (Cout x 16 x T) of one chunk, written whole before they are read. */
    private static final class Work implements AutoCloseable {
        final CpuStorage v;
        final CpuStorage m;

        Work(TileGeo s, int tiles) {
            v = new CpuStorage(DType.F32, (long) s.cin() * POS * tiles, false);
            m = new CpuStorage(DType.F32, (long) s.cout() * POS * tiles, false);
        }

        @Override
        public void close() {
            v.close();
            m.close();
        }
    }

    /**
     * dst = conv3x3(src, U) + bias for every sample: the blocks of samples split across threads
     * ({@link Parallel}); blocks write disjoint samples of dst.
     */
    private static void run(CpuStorage src, long srcOff, CpuStorage u, float[] bias, CpuStorage dst, TileGeo s) {
        int nb = samplesPerBlock(s);
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
                    int ld = POS * tiles;
                    for (int pos = 0; pos < POS; pos++) {
                        Blas.sgemm(false, false, s.cout(), tiles, s.cin(), 1f, u.buffer(), (long) pos * s.cout() * s.cin(),
                                s.cin(), work.v.buffer(), (long) pos * tiles, ld, 0f, work.m.buffer(), (long) pos * tiles, ld);
                    }
                    outputTransform(work.m, n0, nbk, s, bias, dst);
                }
            }
        });
    }

    /**
     * V[c][pos][t] (off-heap, T = nbk tiles per sample) = B^T d B for every tile t of samples
     * [n0, n0 + nbk) and input channel c. Per tile row i, the rows r0..r3 of the padded plane
     * from 2i are first combined as B^T does (r0 - r2, r1 + r2, r2 - r1, r1 - r3) over the whole
     * width; then each tile's four columns c0..c3 of each combined row the same way.
     */
    private static void inputTransform(CpuStorage src, long srcOff, int n0, int nbk, TileGeo s, float[] pad, CpuStorage v) {
        int h = s.h();
        int w = s.w();
        int wp = s.padW();
        int th = s.tilesH();
        int tw = s.tilesW();
        int tiles = nbk * s.tilesPerSample();
        float[] plane = HeapStage.scratch(0, h * w);
        float[] rows = HeapStage.scratch(2, 4 * wp);
        float[] vc = HeapStage.scratch(3, POS * tiles);
        for (int c = 0; c < s.cin(); c++) {
            for (int sm = 0; sm < nbk; sm++) {
                src.f32().get((int) (srcOff + ((long) (n0 + sm) * s.cin() + c) * h * w), plane, 0, h * w);
                for (int y = 0; y < h; y++) {
                    System.arraycopy(plane, y * w, pad, (y + s.qh()) * wp + s.qw(), w);
                }
                for (int i = 0; i < th; i++) {
                    int r0 = 2 * i * wp;
                    int r1 = r0 + wp;
                    int r2 = r1 + wp;
                    int r3 = r2 + wp;
                    for (int x = 0; x < wp; x++) {
                        rows[x] = pad[r0 + x] - pad[r2 + x];
                        rows[wp + x] = pad[r1 + x] + pad[r2 + x];
                        rows[2 * wp + x] = pad[r2 + x] - pad[r1 + x];
                        rows[3 * wp + x] = pad[r1 + x] - pad[r3 + x];
                    }
                    int t0 = sm * s.tilesPerSample() + i * tw;
                    for (int k = 0; k < 4; k++) {
                        int row = k * wp;
                        int d = 4 * k * tiles + t0;
                        for (int j = 0, x = row; j < tw; j++, x += 2) {
                            float a0 = rows[x];
                            float a1 = rows[x + 1];
                            float a2 = rows[x + 2];
                            float a3 = rows[x + 3];
                            vc[d + j] = a0 - a2;
                            vc[d + tiles + j] = a1 + a2;
                            vc[d + 2 * tiles + j] = a2 - a1;
                            vc[d + 3 * tiles + j] = a1 - a3;
                        }
                    }
                }
            }
            v.f32().put(c * POS * tiles, vc, 0, POS * tiles);
        }
    }

    /**
     * dst (samples [n0, n0 + nbk), every element) = A^T m A + bias for every tile and output
     * channel, m the tile's 16 values of M[co][pos][t]: per column of m, [m0 + m1 + m2,
     * m1 - m2 - m3] down the rows, then the same along each of the two rows; the second output
     * row and column are dropped where they fall outside an odd output plane.
     */
    private static void outputTransform(CpuStorage m, int n0, int nbk, TileGeo s, float[] bias, CpuStorage dst) {
        int ho = s.ho();
        int wo = s.wo();
        int th = s.tilesH();
        int tw = s.tilesW();
        int tiles = nbk * s.tilesPerSample();
        float[] mc = HeapStage.scratch(3, POS * tiles);
        float[] out = HeapStage.scratch(4, ho * wo);
        for (int co = 0; co < s.cout(); co++) {
            m.f32().get(co * POS * tiles, mc, 0, POS * tiles);
            float b = bias == null ? 0f : bias[co];
            for (int sm = 0; sm < nbk; sm++) {
                for (int i = 0; i < th; i++) {
                    boolean secondRow = 2 * i + 1 < ho;
                    int t0 = sm * s.tilesPerSample() + i * tw;
                    for (int j = 0; j < tw; j++) {
                        int t = t0 + j;
                        float u00 = mc[t] + mc[4 * tiles + t] + mc[8 * tiles + t];
                        float u01 = mc[tiles + t] + mc[5 * tiles + t] + mc[9 * tiles + t];
                        float u02 = mc[2 * tiles + t] + mc[6 * tiles + t] + mc[10 * tiles + t];
                        float u03 = mc[3 * tiles + t] + mc[7 * tiles + t] + mc[11 * tiles + t];
                        float u10 = mc[4 * tiles + t] - mc[8 * tiles + t] - mc[12 * tiles + t];
                        float u11 = mc[5 * tiles + t] - mc[9 * tiles + t] - mc[13 * tiles + t];
                        float u12 = mc[6 * tiles + t] - mc[10 * tiles + t] - mc[14 * tiles + t];
                        float u13 = mc[7 * tiles + t] - mc[11 * tiles + t] - mc[15 * tiles + t];
                        int o = 2 * i * wo + 2 * j;
                        boolean secondCol = 2 * j + 1 < wo;
                        out[o] = u00 + u01 + u02 + b;
                        if (secondCol) {
                            out[o + 1] = u01 - u02 - u03 + b;
                        }
                        if (secondRow) {
                            out[o + wo] = u10 + u11 + u12 + b;
                            if (secondCol) {
                                out[o + wo + 1] = u11 - u12 - u13 + b;
                            }
                        }
                    }
                }
                dst.f32().put((int) (((long) (n0 + sm) * s.cout() + co) * ho * wo), out, 0, ho * wo);
            }
        }
    }
}
