package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;

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
 * tile's 4x4 output gradient), dg = G^T dU G.
 *
 * <p>NOTE: the factors 4, 5 and 8 and the divisions by 6 and 24 lose a few float32 bits: against
 * the float64 reference the relative error is about 10x F(2x2)'s (WinogradF32Test measures it
 * and holds F(4x4) to 1e-4 where F(2x2) keeps 1e-5). The filter transforms run in double and
 * round once.
 *
 * <p>Data transforms in two passes per row of tiles: down the patch rows over the whole padded
 * width (one loop reading six rows at one index, which C2 vectorises), then across each combined
 * row per tile, into the same per-position heap rows as F(2x2) ({@link WinogradTransforms32#tileRows}).
 */
final class Winograd4x4Transforms32 {
    private Winograd4x4Transforms32() {}

    private static final int POS = WinogradTile.F4X4.positions();

    /**
     * U (off-heap, 36 x R x C, U[pos] row-major R x C) = G f G^T for every filter f: with
     * {@code turned} false f = w[r][c] (R = Cout, C = Cin; the forward), with {@code turned} true
     * f = w[c][r] rotated 180 degrees (R = Cin, C = Cout; backward-data's conv of dy). Rows split
     * across threads, each built in heap rows and copied out whole (as {@link Winograd32}'s F(2x2) filters).
     */
    static CpuStorage filters(CpuStorage w, long wOff, int cout, int cin, boolean turned) {
        int rows = turned ? cin : cout;
        int cols = turned ? cout : cin;
        int step = rows * cols;
        CpuStorage u = new CpuStorage(DType.F32, (long) POS * step, false); // every U[pos] written below
        long dst = OffHeap.floats(u, 0, (long) POS * step);
        Parallel.forChunks(rows, Parallel.grain(POS * 9L * cols), (chunk, r0, r1) -> {
            float[] f = new float[9 * cols];
            float[] tap = new float[9];
            float[][] out = new float[POS][cols];
            double[] t = new double[18];
            for (int r = r0; r < r1; r++) {
                if (turned) {
                    for (int c = 0; c < cols; c++) { // tap k of the turned filter is tap 8 - k of w[c][r]
                        w.f32().get((int) (wOff + ((long) c * cin + r) * 9), tap, 0, 9);
                        for (int k = 0; k < 9; k++) {
                            f[9 * c + k] = tap[8 - k];
                        }
                    }
                } else {
                    w.f32().get((int) (wOff + (long) r * cin * 9), f, 0, 9 * cols);
                }
                for (int c = 0; c < cols; c++) {
                    transformFilter(f, 9 * c, t, out, c);
                }
                for (int k = 0; k < POS; k++) {
                    OffHeap.copy(out[k], 0, dst, k * step + r * cols, cols);
                }
            }
        });
        return u;
    }

    /** out[pos][at] = (G f G^T)[pos] for the 3x3 filter f at f[from, from + 9): G down the columns into t (6x3), then along t's rows. */
    private static void transformFilter(float[] f, int from, double[] t, float[][] out, int at) {
        for (int j = 0; j < 3; j++) {
            double a = f[from + j];
            double b = f[from + 3 + j];
            double c = f[from + 6 + j];
            t[j] = a / 4;
            t[3 + j] = -(a + b + c) / 6;
            t[6 + j] = -(a - b + c) / 6;
            t[9 + j] = (a + 2 * b + 4 * c) / 24;
            t[12 + j] = (a - 2 * b + 4 * c) / 24;
            t[15 + j] = c;
        }
        for (int r = 0; r < 6; r++) {
            double a = t[3 * r];
            double b = t[3 * r + 1];
            double c = t[3 * r + 2];
            out[6 * r][at] = (float) (a / 4);
            out[6 * r + 1][at] = (float) (-(a + b + c) / 6);
            out[6 * r + 2][at] = (float) (-(a - b + c) / 6);
            out[6 * r + 3][at] = (float) ((a + 2 * b + 4 * c) / 24);
            out[6 * r + 4][at] = (float) ((a - 2 * b + 4 * c) / 24);
            out[6 * r + 5][at] = (float) c;
        }
    }

    /** Per-thread rows of the first pass (six combined rows of one row of tiles). */
    private static final ThreadLocal<float[][]> PASS_ROWS = ThreadLocal.withInitial(() -> new float[6][0]);

    private static float[][] passRows(int n) {
        float[][] q = PASS_ROWS.get();
        if (q[0].length < n) {
            for (int k = 0; k < 6; k++) {
                q[k] = new float[n];
            }
        }
        return q;
    }

    /**
     * rows[pos][t0, t0 + tw) = B^T d B of the tw tiles whose 6x6 patches start at row {@code r0}
     * of pad (every fourth column): B^T down the six rows over the whole width wp, then B^T along
     * each combined row per tile. A column e0..e5 gives [4e0 - 5e2 + e4, (e3 + e4) - 4(e1 + e2),
     * (e4 - e3) + 4(e1 - e2), (e4 - e2) + 2(e3 - e1), (e4 - e2) - 2(e3 - e1), 4e1 - 5e3 + e5].
     */
    static void inputTileRow(float[] pad, int r0, int wp, int tw, float[][] rows, int t0) {
        float[][] q = passRows(wp);
        float[] q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5];
        int r1 = r0 + wp, r2 = r1 + wp, r3 = r2 + wp, r4 = r3 + wp, r5 = r4 + wp;
        for (int x = 0; x < wp; x++) {
            float e0 = pad[r0 + x], e1 = pad[r1 + x], e2 = pad[r2 + x], e3 = pad[r3 + x], e4 = pad[r4 + x], e5 = pad[r5 + x];
            q0[x] = 4 * e0 - 5 * e2 + e4;
            q1[x] = (e3 + e4) - 4 * (e1 + e2);
            q2[x] = (e4 - e3) + 4 * (e1 - e2);
            q3[x] = (e4 - e2) + 2 * (e3 - e1);
            q4[x] = (e4 - e2) - 2 * (e3 - e1);
            q5[x] = 4 * e1 - 5 * e3 + e5;
        }
        for (int k = 0; k < 6; k++) {
            float[] qk = q[k];
            float[] v0 = rows[6 * k], v1 = rows[6 * k + 1], v2 = rows[6 * k + 2];
            float[] v3 = rows[6 * k + 3], v4 = rows[6 * k + 4], v5 = rows[6 * k + 5];
            for (int j = 0, x = 0; j < tw; j++, x += 4) {
                float e0 = qk[x], e1 = qk[x + 1], e2 = qk[x + 2], e3 = qk[x + 3], e4 = qk[x + 4], e5 = qk[x + 5];
                int t = t0 + j;
                v0[t] = 4 * e0 - 5 * e2 + e4;
                v1[t] = (e3 + e4) - 4 * (e1 + e2);
                v2[t] = (e4 - e3) + 4 * (e1 - e2);
                v3[t] = (e4 - e2) + 2 * (e3 - e1);
                v4[t] = (e4 - e2) - 2 * (e3 - e1);
                v5[t] = 4 * e1 - 5 * e3 + e5;
            }
        }
    }

    /**
     * rows[pos][t0, t0 + tw) = A dY A^T of the tw tiles whose 4x4 output gradients start at row
     * {@code r0} of gPad (row length wp = 4 tw, zero where an odd plane crops): A down the four
     * rows, then along each combined row per tile. A column y0..y3 gives [y0, y0 + y1 + y2 + y3,
     * y0 - y1 + y2 - y3, y0 + 2y1 + 4y2 + 8y3, y0 - 2y1 + 4y2 - 8y3, y3].
     */
    static void gradientTileRow(float[] gPad, int r0, int wp, int tw, float[][] rows, int t0) {
        float[][] q = passRows(wp);
        float[] q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5];
        int r1 = r0 + wp, r2 = r1 + wp, r3 = r2 + wp;
        for (int x = 0; x < wp; x++) {
            float y0 = gPad[r0 + x], y1 = gPad[r1 + x], y2 = gPad[r2 + x], y3 = gPad[r3 + x];
            float s02 = y0 + y2, s13 = y1 + y3, e02 = y0 + 4 * y2, e13 = 2 * y1 + 8 * y3;
            q0[x] = y0;
            q1[x] = s02 + s13;
            q2[x] = s02 - s13;
            q3[x] = e02 + e13;
            q4[x] = e02 - e13;
            q5[x] = y3;
        }
        for (int k = 0; k < 6; k++) {
            float[] qk = q[k];
            float[] m0 = rows[6 * k], m1 = rows[6 * k + 1], m2 = rows[6 * k + 2];
            float[] m3 = rows[6 * k + 3], m4 = rows[6 * k + 4], m5 = rows[6 * k + 5];
            for (int j = 0, x = 0; j < tw; j++, x += 4) {
                float y0 = qk[x], y1 = qk[x + 1], y2 = qk[x + 2], y3 = qk[x + 3];
                float s02 = y0 + y2, s13 = y1 + y3, e02 = y0 + 4 * y2, e13 = 2 * y1 + 8 * y3;
                int t = t0 + j;
                m0[t] = y0;
                m1[t] = s02 + s13;
                m2[t] = s02 - s13;
                m3[t] = e02 + e13;
                m4[t] = e02 - e13;
                m5[t] = y3;
            }
        }
    }

    /** Per-thread heap rows of the output transform: M's 36 positions for a run of output channels. */
    private static final ThreadLocal<float[][]> OUT_ROWS = ThreadLocal.withInitial(() -> new float[POS][0]);

    /** Floats per position the output transform copies from M at once (36 rows: 288 KB). */
    private static final int COPY_FLOATS = 2048;

    /**
     * dst (samples [n0, n0 + nbk), every element) = A^T m A + bias for every tile and output
     * channel, m the tile's 36 values of M[pos][co][t]: A^T down the six columns, in place into
     * rows 0..3, then along each of those rows into columns 0..3; outputs past an odd plane's
     * edge are dropped.
     */
    static void output(CpuStorage m, int n0, int nbk, Winograd32.TileGeo s, float[] bias, CpuStorage dst) {
        int ho = s.ho();
        int wo = s.wo();
        int tiles = nbk * s.tilesPerSample();
        int st = Winograd32.positionStride(s.cout(), tiles);
        long mb = OffHeap.floats(m, 0, (long) POS * st);
        float[] out = HeapStage.scratch(4, ho * wo);
        int cb = Math.max(1, Math.min(s.cout(), COPY_FLOATS / tiles));
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
            for (int i = 0; i < 4; i++) {
                sixToFour(r[6 * i], r[6 * i + 1], r[6 * i + 2], r[6 * i + 3], r[6 * i + 4], r[6 * i + 5], len);
            }
            for (int co = co0; co < co0 + cn; co++) {
                float b = bias == null ? 0f : bias[co];
                for (int sm = 0; sm < nbk; sm++) {
                    scatterTiles(r, (co - co0) * tiles + sm * s.tilesPerSample(), b, s, out);
                    dst.f32().put((int) (((long) (n0 + sm) * s.cout() + co) * ho * wo), out, 0, ho * wo);
                }
            }
        }
    }

    /**
     * In place over [0, len): (a0, a1, a2, a3) = A^T (a0 .. a5), i.e. [m0 + (m1 + m2) + (m3 + m4),
     * (m1 - m2) + 2(m3 - m4), (m1 + m2) + 4(m3 + m4), (m1 - m2) + 8(m3 - m4) + m5].
     */
    private static void sixToFour(float[] a0, float[] a1, float[] a2, float[] a3, float[] a4, float[] a5, int len) {
        for (int t = 0; t < len; t++) {
            float m1 = a1[t], m2 = a2[t], m3 = a3[t], m4 = a4[t];
            float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
            a0[t] = a0[t] + s12 + s34;
            a1[t] = d12 + 2 * d34;
            a2[t] = s12 + 4 * s34;
            a3[t] = d12 + 8 * d34 + a5[t];
        }
    }

    /** out (one output plane, written whole) = the 4x4 results (r[6 i + j]) of its tiles from t0 plus b, cropped at the edges. */
    private static void scatterTiles(float[][] r, int t0, float b, Winograd32.TileGeo s, float[] out) {
        int ho = s.ho();
        int wo = s.wo();
        int tw = s.tilesW();
        for (int ti = 0; ti < s.tilesH(); ti++) {
            int t = t0 + ti * tw;
            for (int i = 0; i < 4 && 4 * ti + i < ho; i++) {
                int o = (4 * ti + i) * wo;
                for (int j = 0; j < 4 && j < wo; j++) {
                    float[] y = r[6 * i + j];
                    int count = (wo - j + 3) / 4; // tiles whose column j is inside the plane
                    for (int tj = 0; tj < count; tj++) {
                        out[o + 4 * tj + j] = y[t + tj] + b;
                    }
                }
            }
        }
    }

    /**
     * out[9 ci .. 9 ci + 9) = G^T u G for every ci, u[pos][ci] one output channel's 6x6 dU, in
     * double, rounded once: G^T down the six columns into t (3x6), then along t's rows. A column
     * u0..u5 gives [u0/4 - (u1 + u2)/6 + (u3 + u4)/24, (u2 - u1)/6 + (u3 - u4)/12,
     * -(u1 + u2)/6 + (u3 + u4)/6 + u5].
     */
    static void filterGradient(float[][] u, int cin, float[] out) {
        double[] t = new double[18];
        for (int ci = 0; ci < cin; ci++) {
            for (int c = 0; c < 6; c++) {
                double u0 = u[c][ci], u1 = u[6 + c][ci], u2 = u[12 + c][ci];
                double u3 = u[18 + c][ci], u4 = u[24 + c][ci], u5 = u[30 + c][ci];
                t[c] = u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
                t[6 + c] = (u2 - u1) / 6 + (u3 - u4) / 12;
                t[12 + c] = -(u1 + u2) / 6 + (u3 + u4) / 6 + u5;
            }
            for (int r = 0; r < 3; r++) {
                double u0 = t[6 * r], u1 = t[6 * r + 1], u2 = t[6 * r + 2];
                double u3 = t[6 * r + 3], u4 = t[6 * r + 4], u5 = t[6 * r + 5];
                out[9 * ci + 3 * r] = (float) (u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24);
                out[9 * ci + 3 * r + 1] = (float) ((u2 - u1) / 6 + (u3 - u4) / 12);
                out[9 * ci + 3 * r + 2] = (float) (-(u1 + u2) / 6 + (u3 + u4) / 6 + u5);
            }
        }
    }
}
