package org.gradlab.engine.backend.cpu;

/**
 * The transforms of Winograd F(4x4, 3x3) for {@link Winograd32} and {@link WinogradFilterGradient32}
 * (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016; interpolation points
 * 0, 1, -1, 2, -2 and infinity): each 4x4 block of outputs ("tile") comes from a 6x6 input patch d,
 * Y = A^T [ sum over c of (G g_c G^T) (.) (B^T d_c B) ] A, with
 * <pre>
 *   B^T = | 4  0 -5  0  1  0 |   G = |  1/4     0     0  |   A^T = | 1  1  1  1  1  0 |
 *         | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6  |         | 0  1 -1  2 -2  0 |
 *         | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6  |         | 0  1  1  4  4  0 |
 *         | 0 -2 -1  2  1  0 |       |  1/24  1/12  1/6  |         | 0  1 -1  8 -8  1 |
 *         | 0  2 -1 -2  1  0 |       |  1/24 -1/12  1/6  |
 *         | 0  4  0 -5  0  1 |       |  0     0     1    |
 * </pre>
 * 36 multiplies per tile and channel pair where direct does 144. Positions are row-major over the
 * 6x6 transformed tile (pos = 6 r + c), each a rows x T matrix {@link Winograd32#positionStride} apart.
 * The filter gradient differentiates back through the same steps: dM = A dY A^T (6x6 from the
 * tile's 4x4 output gradient), dg = G^T dU G. The filter transforms are in {@link Winograd4x4Filters32}.
 *
 * <p>NOTE: the factors 4, 5 and 8 and the divisions by 6 and 24 lose a few float32 bits: against
 * the float64 reference (max |error| / max |reference|, WinogradF32Test's shapes, up to 256
 * channels) F(4x4) measured 8e-8 to 5.9e-6 where F(2x2) measured 5e-8 to 6.9e-7, about 5-10x more
 * (256 -> 256 at 7x7, forward: 3.2e-6 against 6.9e-7); the test holds F(4x4) to 5e-5, F(2x2) to
 * 1e-5 as every float32 path. CpuConv keeps convs with more than 256 channels on F(2x2).
 * The filter transforms run in double and round once.
 *
 * <p>Data transforms in two passes per row of tiles: down the patch rows over the whole padded
 * width (one loop reading six rows at one index, which C2 vectorises), then across each combined
 * row per tile, into the same per-position heap rows as F(2x2) ({@link WinogradTransforms32#tileRows}).
 */
final class Winograd4x4Transforms32 {
    private Winograd4x4Transforms32() {}

    private static final int POS = WinogradTile.F4X4.positions();

    /**
     * Per-thread scratch: [0] the block's zero-bordered planes of one channel side by side (a wide
     * plane, rows of nbk * wp floats), [1..6] the first pass's six combined rows over that width.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[7][0]);

    private static float[][] scratch(int wideFloats, int rowFloats) {
        float[][] a = SCRATCH.get();
        if (a[0].length < wideFloats) {
            a[0] = new float[wideFloats];
        }
        if (a[1].length < rowFloats) {
            for (int k = 1; k < 7; k++) {
                a[k] = new float[rowFloats];
            }
        }
        return a;
    }

    /**
     * The first column of each tile of one row of tiles, over the wide plane of nbk samples (each
     * wp columns), so that the second pass runs one loop over all the block's tiles of a row.
     * NOTE: F(4x4) orders the tiles of V and M by tile row, then sample, then tile column
     * ({@link #tile}), so that this loop stores to consecutive indices.
     */
    private static int[] tileColumns(int nbk, int tw, int wp) {
        int[] xs = new int[nbk * tw];
        for (int sm = 0, k = 0; sm < nbk; sm++) {
            for (int j = 0; j < tw; j++, k++) {
                xs[k] = sm * wp + 4 * j;
            }
        }
        return xs;
    }

    /** The index in V and M of tile (i, j) of the block's sample sm: tile rows first, then samples, then tile columns. */
    static int tile(int i, int sm, int j, int nbk, int tw) {
        return (i * nbk + sm) * tw + j;
    }

    /**
     * V[pos][c][t] (off-heap, positions {@link Winograd32#positionStride} apart) = B^T d B for
     * every tile t of samples [n0, n0 + nbk) and input channel c, d the tile's 6x6 patch (every
     * fourth row and column) of the zero-bordered plane. Per channel the block's planes are laid
     * side by side, so that each pass over a row of tiles covers every sample: B^T down six rows
     * over the whole width (vectorised), then along each combined row per tile. A column e0..e5
     * gives [4e0 - 5e2 + e4, (e3 + e4) - 4(e1 + e2), (e4 - e3) + 4(e1 - e2), (e4 - e2) + 2(e3 - e1),
     * (e4 - e2) - 2(e3 - e1), 4e1 - 5e3 + e5].
     */
    static void input(CpuStorage src, long srcOff, int n0, int nbk, Winograd32.TileGeo s, CpuStorage v) {
        int h = s.h();
        int w = s.w();
        int wp = s.padW();
        int ww = nbk * wp;
        int tw = s.tilesW();
        int tps = s.tilesPerSample();
        int tiles = nbk * tps;
        int step = Winograd32.positionStride(s.cin(), tiles);
        long vb = OffHeap.floats(v, 0, (long) POS * step);
        int hw = h * w;
        float[] block = HeapStage.load(0, src.f32(), (int) (srcOff + (long) n0 * s.cin() * hw), nbk * s.cin() * hw); // one bulk copy
        float[][] a = scratch(s.padH() * ww, ww);
        float[] pad = a[0];
        java.util.Arrays.fill(pad, 0, s.padH() * ww, 0f); // the borders stay zero, the interiors are rewritten
        int[] xs = tileColumns(nbk, tw, wp);
        float[][] rows = WinogradTransforms32.tileRows(tiles);
        for (int c = 0; c < s.cin(); c++) {
            for (int sm = 0; sm < nbk; sm++) {
                copyRows(block, (sm * s.cin() + c) * hw, w, h, pad, s.qh() * ww + sm * wp + s.qw(), ww);
            }
            for (int i = 0; i < s.tilesH(); i++) {
                inputRows(pad, 4 * i * ww, ww, a);
                for (int k = 0; k < 6; k++) {
                    inputColumns(a[1 + k], xs, tile(i, 0, 0, nbk, tw), rows, 6 * k);
                }
            }
            for (int k = 0; k < POS; k++) {
                OffHeap.copy(rows[k], 0, vb, k * step + c * tiles, tiles);
            }
        }
    }

    /** dst[to + y * stride, + w) = src[from + y * w, + w) for the h rows of one plane: a loop, short rows cost less than arraycopy's call. */
    private static void copyRows(float[] src, int from, int w, int h, float[] dst, int to, int stride) {
        for (int y = 0; y < h; y++) {
            int a = from + y * w;
            int b = to + y * stride;
            for (int x = 0; x < w; x++) {
                dst[b + x] = src[a + x];
            }
        }
    }

    /** a[1 + k][0, n) = row k of B^T over rows r0, r0 + n, ..., r0 + 5n of pad. */
    private static void inputRows(float[] pad, int r0, int n, float[][] a) {
        float[] q0 = a[1], q1 = a[2], q2 = a[3], q3 = a[4], q4 = a[5], q5 = a[6];
        int r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, r4 = r3 + n, r5 = r4 + n;
        for (int x = 0; x < n; x++) {
            float e0 = pad[r0 + x], e1 = pad[r1 + x], e2 = pad[r2 + x], e3 = pad[r3 + x], e4 = pad[r4 + x], e5 = pad[r5 + x];
            q0[x] = 4 * e0 - 5 * e2 + e4;
            q1[x] = (e3 + e4) - 4 * (e1 + e2);
            q2[x] = (e4 - e3) + 4 * (e1 - e2);
            q3[x] = (e4 - e2) + 2 * (e3 - e1);
            q4[x] = (e4 - e2) - 2 * (e3 - e1);
            q5[x] = 4 * e1 - 5 * e3 + e5;
        }
    }

    /** rows[p0 + l][t0 + k] = B^T of q[xs[k], xs[k] + 6) at l, for every tile k of the row. */
    private static void inputColumns(float[] q, int[] xs, int t0, float[][] rows, int p0) {
        float[] v0 = rows[p0], v1 = rows[p0 + 1], v2 = rows[p0 + 2], v3 = rows[p0 + 3], v4 = rows[p0 + 4], v5 = rows[p0 + 5];
        for (int k = 0; k < xs.length; k++) {
            int x = xs[k];
            int t = t0 + k;
            float e0 = q[x], e1 = q[x + 1], e2 = q[x + 2], e3 = q[x + 3], e4 = q[x + 4], e5 = q[x + 5];
            v0[t] = 4 * e0 - 5 * e2 + e4;
            v1[t] = (e3 + e4) - 4 * (e1 + e2);
            v2[t] = (e4 - e3) + 4 * (e1 - e2);
            v3[t] = (e4 - e2) + 2 * (e3 - e1);
            v4[t] = (e4 - e2) - 2 * (e3 - e1);
            v5[t] = 4 * e1 - 5 * e3 + e5;
        }
    }

    /**
     * dM[pos][co][t] (off-heap, positions {@link Winograd32#positionStride} apart) = A dY A^T for
     * every tile t of samples [n0, n0 + nbk) and output channel co, dY the tile's 4x4 output
     * gradient (zero where an odd plane crops it): the block's planes side by side as in
     * {@link #input}, A down four rows, then along each combined row per tile. A column y0..y3
     * gives [y0, y0 + y1 + y2 + y3, y0 - y1 + y2 - y3, y0 + 2y1 + 4y2 + 8y3, y0 - 2y1 + 4y2 - 8y3, y3].
     */
    static void gradient(CpuStorage g, long gOff, int n0, int nbk, Winograd32.TileGeo s, CpuStorage m) {
        int ho = s.ho();
        int wo = s.wo();
        int tw = s.tilesW();
        int wp = 4 * tw; // one sample's columns: whole tiles, no border
        int ww = nbk * wp;
        int hp = 4 * s.tilesH();
        int tps = s.tilesPerSample();
        int tiles = nbk * tps;
        int step = Winograd32.positionStride(s.cout(), tiles);
        long mb = OffHeap.floats(m, 0, (long) POS * step);
        int hw = ho * wo;
        float[] block = HeapStage.load(3, g.f32(), (int) (gOff + (long) n0 * s.cout() * hw), nbk * s.cout() * hw); // one bulk copy
        float[][] a = scratch(hp * ww, ww);
        float[] pad = a[0];
        java.util.Arrays.fill(pad, 0, hp * ww, 0f); // the cropped cells of odd planes stay zero
        int[] xs = tileColumns(nbk, tw, wp);
        float[][] rows = WinogradTransforms32.tileRows(tiles);
        for (int co = 0; co < s.cout(); co++) {
            for (int sm = 0; sm < nbk; sm++) {
                copyRows(block, (sm * s.cout() + co) * hw, wo, ho, pad, sm * wp, ww);
            }
            for (int i = 0; i < s.tilesH(); i++) {
                gradientRows(pad, 4 * i * ww, ww, a);
                for (int k = 0; k < 6; k++) {
                    gradientColumns(a[1 + k], xs, tile(i, 0, 0, nbk, tw), rows, 6 * k);
                }
            }
            for (int k = 0; k < POS; k++) {
                OffHeap.copy(rows[k], 0, mb, k * step + co * tiles, tiles);
            }
        }
    }

    /** a[1 + k][0, n) = row k of A over rows r0, r0 + n, r0 + 2n, r0 + 3n of pad. */
    private static void gradientRows(float[] pad, int r0, int n, float[][] a) {
        float[] q0 = a[1], q1 = a[2], q2 = a[3], q3 = a[4], q4 = a[5], q5 = a[6];
        int r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        for (int x = 0; x < n; x++) {
            float y0 = pad[r0 + x], y1 = pad[r1 + x], y2 = pad[r2 + x], y3 = pad[r3 + x];
            float s02 = y0 + y2, s13 = y1 + y3, e02 = y0 + 4 * y2, e13 = 2 * y1 + 8 * y3;
            q0[x] = y0;
            q1[x] = s02 + s13;
            q2[x] = s02 - s13;
            q3[x] = e02 + e13;
            q4[x] = e02 - e13;
            q5[x] = y3;
        }
    }

    /** rows[p0 + l][t0 + k] = A of q[xs[k], xs[k] + 4) at l, for every tile k of the row. */
    private static void gradientColumns(float[] q, int[] xs, int t0, float[][] rows, int p0) {
        float[] m0 = rows[p0], m1 = rows[p0 + 1], m2 = rows[p0 + 2], m3 = rows[p0 + 3], m4 = rows[p0 + 4], m5 = rows[p0 + 5];
        for (int k = 0; k < xs.length; k++) {
            int x = xs[k];
            int t = t0 + k;
            float y0 = q[x], y1 = q[x + 1], y2 = q[x + 2], y3 = q[x + 3];
            float s02 = y0 + y2, s13 = y1 + y3, e02 = y0 + 4 * y2, e13 = 2 * y1 + 8 * y3;
            m0[t] = y0;
            m1[t] = s02 + s13;
            m2[t] = s02 - s13;
            m3[t] = e02 + e13;
            m4[t] = e02 - e13;
            m5[t] = y3;
        }
    }

    /** Per-thread heap rows of the output transform: M's 36 positions for a run of output channels. */
    private static final ThreadLocal<float[][]> OUT_ROWS = ThreadLocal.withInitial(() -> new float[POS][0]);

    /** Floats per position the output transform copies from M at once (36 rows: 288 KB). */
    private static final int COPY_FLOATS = 2048;

    /**
     * dst (samples [n0, n0 + nbk), every element) = A^T m A + bias for every tile and output
     * channel, m the tile's 36 values of M[pos][co][t]: A^T down the six columns, in place into
     * rows {@link #OUT}, then along each of those rows into its columns {@link #OUT}; outputs past an
     * odd plane's edge are dropped.
     */
    static void output(CpuStorage m, int n0, int nbk, Winograd32.TileGeo s, float[] bias, CpuStorage dst) {
        int ho = s.ho();
        int wo = s.wo();
        int tiles = nbk * s.tilesPerSample();
        int st = Winograd32.positionStride(s.cout(), tiles);
        long mb = OffHeap.floats(m, 0, (long) POS * st);
        int hw = ho * wo;
        int cb = Math.max(1, Math.min(s.cout(), COPY_FLOATS / tiles));
        float[] out = HeapStage.scratch(4, nbk * cb * hw); // [sample][channel of the run][plane], one store per sample
        float[][] r = OUT_ROWS.get();
        if (r[0].length < cb * tiles) {
            for (int k = 0; k < POS; k++) {
                r[k] = new float[cb * tiles];
            }
        }
        for (int co0 = 0; co0 < s.cout(); co0 += cb) {
            int cn = Math.min(cb, s.cout() - co0);
            int len = cn * tiles;
            for (int k = 0; k < POS; k++) {
                OffHeap.copy(mb, k * st + co0 * tiles, r[k], 0, len);
            }
            for (int c = 0; c < 6; c++) {
                sixToFour(r[c], r[6 + c], r[12 + c], r[18 + c], r[24 + c], r[30 + c], len);
            }
            for (int i : OUT) {
                sixToFour(r[6 * i], r[6 * i + 1], r[6 * i + 2], r[6 * i + 3], r[6 * i + 4], r[6 * i + 5], len);
            }
            for (int sm = 0; sm < nbk; sm++) {
                for (int co = co0; co < co0 + cn; co++) {
                    float b = bias == null ? 0f : bias[co];
                    scatterTiles(r, (co - co0) * tiles + tile(0, sm, 0, nbk, s.tilesW()), nbk * s.tilesW(), b, s, out,
                            (sm * cn + co - co0) * hw);
                }
                dst.f32().put((int) (((long) (n0 + sm) * s.cout() + co0) * hw), out, sm * cn * hw, cn * hw);
            }
        }
    }

    /**
     * Where {@link #sixToFour} leaves A^T's four results among its six rows: result i in row OUT[i].
     */
    private static final int[] OUT = {0, 4, 3, 5};

    /**
     * In place over [0, len): the six rows m0..m5 become A^T (m0 .. m5), result i in row
     * {@link #OUT}[i]: [m0 + (m1 + m2) + (m3 + m4), (m1 - m2) + 2(m3 - m4), (m1 + m2) + 4(m3 + m4),
     * (m1 - m2) + 8(m3 - m4) + m5]. NOTE: six loops of two or three arrays at one index, the shape
     * C2 vectorises (one loop over all six rows stayed scalar: a JFR profile had it at the top).
     */
    private static void sixToFour(float[] a0, float[] a1, float[] a2, float[] a3, float[] a4, float[] a5, int len) {
        for (int t = 0; t < len; t++) { // a1 = m1 + m2, a2 = m1 - m2
            float m1 = a1[t];
            float m2 = a2[t];
            a1[t] = m1 + m2;
            a2[t] = m1 - m2;
        }
        for (int t = 0; t < len; t++) { // a3 = m3 + m4, a4 = m3 - m4
            float m3 = a3[t];
            float m4 = a4[t];
            a3[t] = m3 + m4;
            a4[t] = m3 - m4;
        }
        for (int t = 0; t < len; t++) { // result 3
            a5[t] = a2[t] + 8 * a4[t] + a5[t];
        }
        for (int t = 0; t < len; t++) { // result 0
            a0[t] = a0[t] + a1[t] + a3[t];
        }
        for (int t = 0; t < len; t++) { // result 2
            a3[t] = a1[t] + 4 * a3[t];
        }
        for (int t = 0; t < len; t++) { // result 1
            a4[t] = a2[t] + 2 * a4[t];
        }
    }

    /**
     * out[at, at + ho * wo) (one output plane, written whole) = the 4x4 results (Y[i][j] in r[6 OUT[i] + OUT[j]]) of its tiles plus b,
     * cropped at the edges: tile row ti's tiles from t0 + ti * rowStride on ({@link #tile}).
     */
    private static void scatterTiles(float[][] r, int t0, int rowStride, float b, Winograd32.TileGeo s, float[] out, int at) {
        int ho = s.ho();
        int wo = s.wo();
        int whole = wo / 4; // tiles whose four columns all exist
        int rest = wo - 4 * whole;
        for (int ti = 0; ti < s.tilesH(); ti++) {
            int t = t0 + ti * rowStride;
            for (int i = 0; i < 4 && 4 * ti + i < ho; i++) {
                int o = at + (4 * ti + i) * wo;
                int row = 6 * OUT[i];
                float[] y0 = r[row + OUT[0]], y1 = r[row + OUT[1]], y2 = r[row + OUT[2]], y3 = r[row + OUT[3]];
                for (int j = 0; j < whole; j++) {
                    int oo = o + 4 * j;
                    out[oo] = y0[t + j] + b;
                    out[oo + 1] = y1[t + j] + b;
                    out[oo + 2] = y2[t + j] + b;
                    out[oo + 3] = y3[t + j] + b;
                }
                if (rest > 0) { // the cropped last tile: its first one to three columns
                    int oo = o + 4 * whole;
                    int tt = t + whole;
                    out[oo] = y0[tt] + b;
                    if (rest > 1) {
                        out[oo + 1] = y1[tt] + b;
                    }
                    if (rest > 2) {
                        out[oo + 2] = y2[tt] + b;
                    }
                }
            }
        }
    }

}
