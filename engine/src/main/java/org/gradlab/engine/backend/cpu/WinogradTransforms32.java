package org.gradlab.engine.backend.cpu;

/**
 * The data transforms of {@link Winograd32}'s F(2x2, 3x3), between NCHW planes and the GEMMs'
 * position-major V and M (16 positions {@link Winograd32#positionStride} apart, each rows x T,
 * T the block's tiles): {@link #input}, V = B^T d B per tile and input channel (its plane
 * staging serves F(4x4) too, with {@link Winograd4x4Transforms32}'s tile rows), and
 * {@link #output}, Y = A^T m A per tile and output channel. Scalar Java in the shapes C2 runs
 * fastest (measured with throwaway probes; bench/README.md, "Winograd F(2x2, 3x3)").
 */
final class WinogradTransforms32 {
    private WinogradTransforms32() {}

    private static final int POS = Winograd32.POS;

    /**
     * V[pos][c][t] (off-heap, T = nbk tiles per sample) = B^T d B for every tile t of samples
     * [n0, n0 + nbk) and input channel c, d the tile's patch of the zero-bordered plane (F(4x4):
     * {@link Winograd4x4Transforms32#inputTileRow}). F(2x2), 4x4 patches:
     * the rows r0..r3 of d first combined as B^T does (r0 - r2, r1 + r2, r2 - r1, r1 - r3), then
     * the four columns c0..c3 of each combined row the same way. NOTE: one tile per loop turn,
     * all 16 values in registers: four loops per tile row, each only a few turns (7 tiles at
     * 14x14), were slower (bench/README.md, "Winograd F(2x2, 3x3)").
     */
    static void input(CpuStorage src, long srcOff, int n0, int nbk, Winograd32.TileGeo s, float[] pad, CpuStorage v) {
        if (s.tile() == WinogradTile.F4X4) {
            Winograd4x4Transforms32.input(src, srcOff, n0, nbk, s, v);
            return;
        }
        int h = s.h();
        int w = s.w();
        int wp = s.padW();
        int tw = s.tilesW();
        int tps = s.tilesPerSample();
        int tiles = nbk * tps;
        int step = Winograd32.positionStride(s.cin(), tiles);
        int positions = s.positions();
        long vb = OffHeap.floats(v, 0, (long) positions * step);
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
            for (int k = 0; k < positions; k++) {
                OffHeap.copy(rows[k], 0, vb, k * step + c * tiles, tiles);
            }
        }
    }

    /**
     * Per-thread heap rows of the input transform, one per position, each one channel's tiles of a block: the
     * tile loop stores to them and each is copied out whole. NOTE: storing straight into V's 16
     * off-heap rows was ~30 % slower per element (a throwaway probe, 64 channels at 28x28).
     */
    private static final ThreadLocal<float[][]> TILE_ROWS = ThreadLocal.withInitial(() -> new float[WinogradTile.MAX_POSITIONS][0]);

    static float[][] tileRows(int n) {
        float[][] r = TILE_ROWS.get();
        if (r[0].length < n) {
            for (int k = 0; k < r.length; k++) {
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
    static void output(CpuStorage m, int n0, int nbk, Winograd32.TileGeo s, float[] bias, CpuStorage dst) {
        int ho = s.ho();
        int wo = s.wo();
        int tiles = nbk * s.tilesPerSample();
        int st = Winograd32.positionStride(s.cout(), tiles);
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
    private static void scatterTiles(float[] y00, float[] y01, float[] y10, float[] y11, int t0, float b, Winograd32.TileGeo s,
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
