package org.gradlab.engine.backend.cpu;

/**
 * Both gradients of a float32 3x3 stride-1 conv (groups 1) by Winograd F(2x2, 3x3) or F(4x4,
 * 3x3) in one pass over the samples, transforming the output gradient dy ONCE for both.
 *
 * <p>Backward-data is itself a conv ({@link Winograd32#backwardInput}): dx = conv(dy padded by
 * 2 - p, w_t), w_t[ci][co] = w[co][ci] rotated 180 degrees. Per block of samples it transforms dy's
 * patches, V_dy = B^T d B (Cout x T per position, T the tiles of dx), and runs
 * M[pos] (Cin x T) = U_t[pos] (Cin x Cout) * V_dy[pos], dx = A^T M A. The filter gradient of
 * THAT conv with respect to w_t, for the output gradient x, is the filter gradient of
 * {@link WinogradFilterGradient32} with the roles swapped: its "input" is dy padded (V_dy, already
 * there) and its "output gradient" is x on dx's tiles, dM_x = A x A^T (Cin x T per position), so
 * <pre>
 *   dU_t[pos] (Cin x Cout) = sum over blocks of dM_x[pos] (Cin x T) * V_dy[pos]^T (T x Cout)
 *   dw_t[ci][co] = G^T dU_t[ci][co] G,     dw[co][ci][a][e] = dw_t[ci][co][2 - a][2 - e]
 * </pre>
 * Check of the last line: dw_t[a'][e'] = sum over (y, z) of x[y][z] dy_pad[y + a'][z + e'], with
 * dy_pad[r] = dy[r - (2 - p)] and a' = 2 - a that is sum over i of dy[i] x[i + a - p] = dw[a].
 * Against the two separate passes this drops the filter gradient's transform of dy (A dy A^T)
 * and replaces its B^T transform of x by the cheaper A x A^T (m x m reads per tile instead of
 * (m + 2)^2).
 *
 * <p>Threads, scratch and determinism as in the filter gradient: groups of blocks of samples
 * claimed by whichever thread is free, each group summing its dU_t into a partial of its own,
 * added in group order by the filter transform ({@link WinogradFilterGradient32#sumOverBlocks}); the
 * blocks write disjoint samples of dx. The dx GEMMs' M is dead once dx
 * is written, so dM_x reuses it (Cin x T per position either way). Heap staging slots (see
 * {@link HeapStage}): 0, 1 and 4 as {@link Winograd32}, 2 and 3 as {@link WinogradFilterGradient32}.
 */
final class WinogradBackward32 {
    private WinogradBackward32() {}

    /** gx (N x Cin x H x W) and gw (Cout x Cin x 3 x 3), both written whole, for the output gradient g of conv(x, w). */
    static void backward(CpuStorage g, long gOff, CpuStorage x, long xOff, CpuStorage w, long wOff, CpuStorage gx,
                         CpuStorage gw, CpuConv.Plan p, WinogradTile tile) {
        Im2col.Geo geo = p.geo();
        // backward-data's conv: dy (Cout channels, ho x wo) padded by 2 - p into dx (Cin channels, h x w)
        Winograd32.TileGeo s = new Winograd32.TileGeo(tile, p.n(), p.cout(), p.cin(), geo.ho(), geo.wo(), 2 - geo.ph(),
                2 - geo.pw());
        boolean f2 = tile == WinogradTile.F2X2;
        int nb = Winograd32.samplesPerBlock(s, Winograd32.targetTiles(s));
        int uStep = p.cin() * p.cout(); // dU_t[pos] apart, each row-major Cin x Cout
        // s is backward-data's conv (channels swapped): its M is Cin x T, its V Cout x T, dU_t Cin x Cout
        try (CpuStorage u = f2 ? Winograd32.filters(w, wOff, p.cout(), p.cin())
                : Winograd4x4Filters32.filters(w, wOff, p.cout(), p.cin(), true);
             WinogradFilterGradient32.Partials du = WinogradFilterGradient32.sumOverBlocks(s, nb, (n0, nbk, work, pad, xPad) -> {
                 Winograd32.block(g, gOff, n0, nbk, u, f2, null, gx, s, pad, work); // V_dy stays in work.v
                 if (f2) {
                     WinogradFilterGradient32.gradientTransform(x, xOff, n0, nbk, s, xPad, work.m);
                 } else {
                     Winograd4x4Transforms32.gradient(x, xOff, n0, nbk, s, work.m);
                 }
             })) {
            WinogradFilterGradient32.filterTransform(du, uStep, p.cin(), p.cout(), tile, true, gw);
        }
    }
}
