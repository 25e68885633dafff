package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;
import org.gradlab.natives.Blas;

/**
 * The filter gradient of a float32 3x3 stride-1 conv (groups 1) by Winograd F(2x2, 3x3), the
 * backward of {@link Winograd32}'s forward. There, per tile, Y = A^T M A with
 * M[co] = sum over ci of U[co][ci] (.) V[ci], U = G g G^T and V = B^T d B ((.) the elementwise
 * product, d the tile's 4x4 input patch). Differentiating back through each step:
 * <pre>
 *   dM[co]     = A dY[co] A^T                                  (4x4, from the tile's 2x2 output gradient)
 *   dU[co][ci] = sum over tiles and samples of dM[co] (.) V[ci]
 *   dg[co][ci] = G^T dU[co][ci] G                              (3x3)
 * </pre>
 * For each of the 16 positions, the sum over tiles is ONE sgemm per block of samples:
 * dU[pos] (Cout x Cin) += dM[pos] (Cout x T) * V[pos]^T (T x Cin), T the block's tiles; the
 * GEMMs do 16 multiply-adds per tile and channel pair where im2col + GEMM does 36 (4 outputs x 9
 * taps), and no col matrix is built. With the 2x2 output gradient [[y00 y01] [y10 y11]] of a tile,
 * the rows of A dY are [y00 y01], [y00+y10 y01+y11], [y00-y10 y01-y11], [-y10 -y11], and each row
 * [a b] times A^T is [a, a+b, a-b, -b]. G^T u of a 4-vector u is [u0 + (u1+u2)/2, (u1-u2)/2,
 * (u1+u2)/2 + u3]; dg applies it down the columns of dU, then along the rows.
 *
 * <p>NOTE: the output gradient of the cropped second row or column of an odd plane's last tiles
 * is zero (they are not outputs), so those tiles' extra input reads add nothing. The transforms
 * only add, subtract and halve, as in the forward (tested against the float64 reference,
 * WinogradF32Test).
 *
 * <p>Threads: fixed groups of consecutive blocks of samples, each summed into a dU partial of its
 * own, are claimed by whichever thread is free ({@link #sumOverBlocks}); the filter transform adds
 * the partials in group order as it reads them, so a fixed thread count gives the same bits every
 * time, however late a pool thread starts. One thread: one group, one dU.
 *
 * <p>Heap staging slots (see {@link HeapStage}): 0 one input plane (by
 * {@link WinogradTransforms32#input}), 1 its zero-bordered copy, 2 one output-gradient plane
 * zero-bordered to whole tiles, 3 one output-gradient plane.
 */
final class WinogradFilterGradient32 {
    private WinogradFilterGradient32() {}

    /** Tiles one block GEMM should reach, its K ({@code -Dgradlab.winogradFilterTiles}). */
    private static final int TARGET_TILES = Integer.getInteger("gradlab.winogradFilterTiles", 160);

    /** gw (Cout x Cin x 3 x 3, written whole) = the filter gradient of conv(x, w) for the output gradient g, by {@code tile}. */
    static void backwardWeight(CpuStorage g, long gOff, CpuStorage x, long xOff, CpuStorage gw, CpuConv.Plan p,
                               WinogradTile tile) {
        Im2col.Geo geo = p.geo();
        Winograd32.TileGeo s = new Winograd32.TileGeo(tile, p.n(), p.cin(), p.cout(), geo.h(), geo.w(), geo.ph(), geo.pw());
        int nb = Winograd32.samplesPerBlock(s, TARGET_TILES);
        int uStep = s.cout() * s.cin(); // dU[pos] apart: the GEMMs write one position at a time, the transform reads rows
        try (Partials du = sumOverBlocks(s, nb, (n0, nbk, work, pad, cellPad) -> {
            WinogradTransforms32.input(x, xOff, n0, nbk, s, pad, work.v);
            if (tile == WinogradTile.F2X2) {
                gradientTransform(g, gOff, n0, nbk, s, cellPad, work.m);
            } else {
                Winograd4x4Transforms32.gradient(g, gOff, n0, nbk, s, work.m);
            }
        })) {
            filterTransform(du, uStep, s.cout(), s.cin(), tile, false, gw);
        }
    }

    /**
     * dM[pos][co][t] (off-heap, positions {@link Winograd32#positionStride} apart, T = nbk tiles
     * per sample) = A dY A^T for every tile t of samples [n0, n0 + nbk) and output channel co,
     * dY the tile's 2x2 output gradient (zero where an odd plane crops it).
     */
    static void gradientTransform(CpuStorage g, long gOff, int n0, int nbk, Winograd32.TileGeo s, float[] gPad,
                                          CpuStorage m) {
        int ho = s.ho();
        int wo = s.wo();
        int wp = 2 * s.tilesW(); // gPad's row length
        int tw = s.tilesW();
        int tps = s.tilesPerSample();
        int tiles = nbk * tps;
        int step = Winograd32.positionStride(s.cout(), tiles);
        int positions = s.positions();
        long mb = OffHeap.floats(m, 0, (long) positions * step);
        float[] plane = HeapStage.scratch(3, ho * wo);
        float[][] rows = WinogradTransforms32.tileRows(tiles); // one channel's tiles of every sample per position, copied out whole
        for (int co = 0; co < s.cout(); co++) {
            for (int sm = 0; sm < nbk; sm++) {
                g.f32().get((int) (gOff + ((long) (n0 + sm) * s.cout() + co) * ho * wo), plane, 0, ho * wo);
                for (int y = 0; y < ho; y++) {
                    System.arraycopy(plane, y * wo, gPad, y * wp, wo);
                }
                for (int i = 0; i < s.tilesH(); i++) {
                    tileRow(gPad, 2 * i * wp, wp, tw, rows, sm * tps + i * tw);
                }
            }
            for (int k = 0; k < positions; k++) {
                OffHeap.copy(rows[k], 0, mb, k * step + co * tiles, tiles);
            }
        }
    }

    /**
     * rows[pos][t0, t0 + tw) = A dY A^T of the tw tiles whose 2x2 output gradients start at row
     * {@code r0} of gPad: the rows of A dY are [y00 y01], [y00+y10 y01+y11], [y00-y10 y01-y11],
     * [-y10 -y11], and each row [a b] times A^T is [a, a+b, a-b, -b].
     */
    private static void tileRow(float[] gPad, int r0, int wp, int tw, float[][] rows, int t0) {
        int r1 = r0 + wp;
        float[] m0 = rows[0], m1 = rows[1], m2 = rows[2], m3 = rows[3], m4 = rows[4], m5 = rows[5], m6 = rows[6];
        float[] m7 = rows[7], m8 = rows[8], m9 = rows[9], m10 = rows[10], m11 = rows[11], m12 = rows[12], m13 = rows[13];
        float[] m14 = rows[14], m15 = rows[15];
        for (int j = 0; j < tw; j++) {
            int x = 2 * j;
            float y00 = gPad[r0 + x], y01 = gPad[r0 + x + 1];
            float y10 = gPad[r1 + x], y11 = gPad[r1 + x + 1];
            int t = t0 + j;
            m0[t] = y00;
            m1[t] = y00 + y01;
            m2[t] = y00 - y01;
            m3[t] = -y01;
            float a = y00 + y10;
            float b = y01 + y11;
            m4[t] = a;
            m5[t] = a + b;
            m6[t] = a - b;
            m7[t] = -b;
            a = y00 - y10;
            b = y01 - y11;
            m8[t] = a;
            m9[t] = a + b;
            m10[t] = a - b;
            m11[t] = -b;
            m12[t] = -y10;
            m13[t] = -y10 - y11;
            m14[t] = y11 - y10;
            m15[t] = y11;
        }
    }

    /**
     * gw[co][ci] (3x3, every element) = G^T dU[co][ci] G, dU = the sum of the partials of {@code du}
     * (each positions x Cout x Cin, positions uStep apart, dU[pos] row-major Cout x Cin), added in
     * partial order as each output channel's rows are read, so no pass of its own sums them. Per
     * output channel the rows of dU are copied into heap arrays and its 9 x Cin results written out
     * whole; output channels split across threads. F(4x4): {@link Winograd4x4Filters32#filterGradient}.
     * With {@code turned}, dU is the gradient of the turned filters of backward-data
     * ({@link WinogradBackward32}: rows = the conv's input channels, columns its output channels,
     * taps rotated 180 degrees): dg of row r, column c and tap k goes to gw[c][r] at tap 8 - k.
     */
    static void filterTransform(Partials du, int uStep, int cout, int cin, WinogradTile tile, boolean turned,
                                CpuStorage gw) {
        int positions = tile.positions();
        long[] part = new long[du.parts()];
        for (int k = 0; k < part.length; k++) {
            part[k] = OffHeap.floats(du.sums(), (long) k * du.size(), (long) positions * uStep);
        }
        long dst = OffHeap.floats(gw, 0, (long) cout * cin * 9);
        Parallel.forChunks(cout, Parallel.grain(positions * (long) cin * part.length), (chunk, co0, co1) -> {
            float[][] u = new float[positions][cin];
            float[] add = new float[cin];
            float[] out = new float[9 * cin];
            for (int co = co0; co < co1; co++) {
                for (int k = 0; k < positions; k++) {
                    float[] row = u[k];
                    OffHeap.copy(part[0], k * uStep + co * cin, row, 0, cin);
                    for (int q = 1; q < part.length; q++) {
                        OffHeap.copy(part[q], k * uStep + co * cin, add, 0, cin);
                        for (int ci = 0; ci < cin; ci++) {
                            row[ci] += add[ci];
                        }
                    }
                }
                if (tile == WinogradTile.F2X2) {
                    filterGradient(u, cin, out);
                } else {
                    Winograd4x4Filters32.filterGradient(u, cin, out);
                }
                if (turned) {
                    for (int ci = 0; ci < cin; ci++) {
                        for (int k = 0; k < 9; k++) {
                            OffHeap.put(dst, (ci * cout + co) * 9 + 8 - k, out[9 * ci + k]);
                        }
                    }
                } else {
                    OffHeap.copy(out, 0, dst, co * cin * 9, 9 * cin);
                }
            }
        });
    }

    /**
     * out[9 ci .. 9 ci + 9) = G^T u G for every ci, u[pos][ci] one output channel's 4x4 dU: G^T
     * down the four columns, then along the three rows, in double, rounded once.
     */
    private static void filterGradient(float[][] u, int cin, float[] out) {
        double[] t = new double[12];
        for (int ci = 0; ci < cin; ci++) {
            // t (3 x 4) = G^T u: per column, [u0 + (u1+u2)/2, (u1-u2)/2, (u1+u2)/2 + u3]
            for (int c = 0; c < 4; c++) {
                double u1 = u[4 + c][ci];
                double u2 = u[8 + c][ci];
                t[c] = u[c][ci] + (u1 + u2) / 2;
                t[4 + c] = (u1 - u2) / 2;
                t[8 + c] = (u1 + u2) / 2 + u[12 + c][ci];
            }
            for (int r = 0; r < 3; r++) { // dg = t G, the same along each row
                double a = t[4 * r];
                double b = t[4 * r + 1];
                double c = t[4 * r + 2];
                double d = t[4 * r + 3];
                out[9 * ci + 3 * r] = (float) (a + (b + c) / 2);
                out[9 * ci + 3 * r + 1] = (float) ((b - c) / 2);
                out[9 * ci + 3 * r + 2] = (float) ((b + c) / 2 + d);
            }
        }
    }

    /** What a block of samples puts in place before its dU GEMMs: V in {@code work.v}, M in {@code work.m}. */
    @FunctionalInterface
    interface BlockTransforms {
        /** Samples [n0, n0 + nbk); {@code pad} (slot 1) has a zero border, {@code cellPad} (slot 2) zero cells past the plane. */
        void transform(int n0, int nbk, Winograd32.Work work, float[] pad, float[] cellPad);
    }

    /** Most floats the dU partials of one call take when there are more blocks than threads (8 MB). */
    private static final long PARTIAL_FLOATS = 2L << 20;
    /** Most partials per thread: more let a late thread's blocks go to the others in smaller steps, but cost a read each. */
    private static final int PARTIALS_PER_THREAD = 4;

    /**
     * dU as {@code parts} partial sums of {@code size} floats each, one after another in {@code sums}
     * (off-heap, each positions x Cout x Cin); dU is their sum in partial order ({@link #filterTransform}).
     */
    record Partials(CpuStorage sums, int parts, int size) implements AutoCloseable {
        @Override
        public void close() {
            sums.close();
        }
    }

    /**
     * How many partials the dU of {@code blocks} blocks is summed into: one at one thread (every
     * block in order into one dU, as without threads); else one per block, at most
     * {@link #PARTIALS_PER_THREAD} per thread and {@link #PARTIAL_FLOATS} in all, never fewer than
     * one per thread. The count depends only on the blocks, the partial size and the thread count.
     */
    static int partials(int blocks, long size) {
        int threads = Parallel.chunks(blocks, 1);
        if (threads == 1) {
            return 1;
        }
        long byMemory = PARTIAL_FLOATS / Math.max(1, size);
        return (int) Math.min(blocks, Math.max(threads, Math.min((long) PARTIALS_PER_THREAD * threads, byMemory)));
    }

    /**
     * dU (positions x Cout x Cin; the caller closes the partials) = the sum over blocks of {@code nb}
     * samples of M[pos] V[pos]ᵀ, each block's M and V from {@code transforms}. The blocks form
     * {@link #partials} fixed groups of consecutive blocks; each group sums its blocks in order into
     * a partial of its own, and the groups are claimed one at a time by whichever thread is free
     * ({@link Parallel#forClaimed}), so a pool thread that starts late leaves its groups to the
     * caller instead of the caller waiting for it. The partials are added in group order by
     * {@link #filterTransform}: the same bits whichever thread ran which group, at a fixed thread count.
     */
    static Partials sumOverBlocks(Winograd32.TileGeo s, int nb, BlockTransforms transforms) {
        int blocks = (s.n() + nb - 1) / nb;
        int tps = s.tilesPerSample();
        int size = s.positions() * s.cout() * s.cin();
        int parts = partials(blocks, size);
        CpuStorage sums = new CpuStorage(DType.F32, (long) parts * size, false); // each group's first block writes its partial whole
        try {
            Parallel.forClaimed(parts, 1, () -> new Parallel.Claimant() {
                final Winograd32.Work work = new Winograd32.Work(s, nb * tps);
                final float[] pad = HeapStage.zeroed(1, s.padH() * s.padW()); // the border stays zero, the interior is rewritten
                final float[] cellPad = HeapStage.zeroed(2, s.tile().m * s.tile().m * s.tilesH() * s.tilesW()); // cells past an odd plane's edge

                @Override
                public void run(int part) {
                    int b0 = Parallel.start(part, parts, blocks);
                    int b1 = Parallel.start(part + 1, parts, blocks);
                    for (int b = b0; b < b1; b++) {
                        int n0 = b * nb;
                        int nbk = Math.min(nb, s.n() - n0);
                        transforms.transform(n0, nbk, work, pad, cellPad);
                        accumulatePositions(s, work, nbk * tps, b == b0, sums, (long) part * size);
                    }
                }

                @Override
                public void close() {
                    work.close();
                }
            });
        } catch (RuntimeException | Error e) {
            sums.close();
            throw e;
        }
        return new Partials(sums, parts, size);
    }

    /**
     * dU[pos] (+)= M[pos] V[pos]ᵀ for every position: the block's transformed gradient M (Cout x T per
     * position) against its transformed input V (Cin x T), into one partial dU (positions x Cout x Cin,
     * row-major) from float {@code at} of {@code partial}; {@code first}: the group's first block writes
     * (beta 0) instead of adding.
     */
    static void accumulatePositions(Winograd32.TileGeo s, Winograd32.Work work, int tiles, boolean first, CpuStorage partial,
                                    long at) {
        int stepV = Winograd32.positionStride(s.cin(), tiles);
        int stepM = Winograd32.positionStride(s.cout(), tiles);
        int uStep = s.cout() * s.cin();
        for (int pos = 0; pos < s.positions(); pos++) {
            Blas.sgemm(false, true, s.cout(), s.cin(), tiles, 1f, work.m.buffer(), (long) pos * stepM, tiles,
                    work.v.buffer(), (long) pos * stepV, tiles, first ? 0f : 1f, partial.buffer(), at + (long) pos * uStep, s.cin());
        }
    }
}
