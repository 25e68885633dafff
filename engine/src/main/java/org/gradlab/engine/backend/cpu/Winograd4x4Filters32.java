package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;

/**
 * The filter transforms of Winograd F(4x4, 3x3) ({@link Winograd4x4Transforms32} has the matrices
 * and the data transforms): U = G g G^T for the forward and backward-data ({@link #filters}) and
 * dg = G^T dU G for the filter gradient ({@link #filterGradient}), in double, rounded once.
 */
final class Winograd4x4Filters32 {
    private Winograd4x4Filters32() {}

    private static final int POS = WinogradTile.F4X4.positions();
    /**
     * G's and G^T's factors as multipliers. NOTE: the filter transforms multiply by these double
     * constants rather than divide: with a division per value they took as long as the data
     * transforms (JFR, 64 -> 128 at 7x7); the results still round to float32 once.
     */
    private static final double SIXTH = 1.0 / 6;
    private static final double TWELFTH = 1.0 / 12;
    private static final double TWENTY_FOURTH = 1.0 / 24;

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
        // the turned filters read w across its rows: one bulk copy of w instead of a 9-float copy per filter
        float[] all = turned ? new float[9 * step] : null;
        if (turned) {
            w.f32().get((int) wOff, all, 0, 9 * step);
        }
        Parallel.forChunks(rows, Parallel.grain(POS * 9L * cols), (chunk, r0, r1) -> {
            float[] f = new float[9 * cols];
            float[][] out = new float[POS][cols];
            double[] t = new double[18];
            for (int r = r0; r < r1; r++) {
                if (turned) {
                    for (int c = 0; c < cols; c++) { // tap k of the turned filter is tap 8 - k of w[c][r]
                        int from = (c * cin + r) * 9;
                        for (int k = 0; k < 9; k++) {
                            f[9 * c + k] = all[from + 8 - k];
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
            double ac = a + c;
            double ac4 = a + 4 * c;
            t[j] = a * 0.25;
            t[3 + j] = -(ac + b) * SIXTH;
            t[6 + j] = -(ac - b) * SIXTH;
            t[9 + j] = (ac4 + 2 * b) * TWENTY_FOURTH;
            t[12 + j] = (ac4 - 2 * b) * TWENTY_FOURTH;
            t[15 + j] = c;
        }
        for (int r = 0; r < 6; r++) {
            double a = t[3 * r];
            double b = t[3 * r + 1];
            double c = t[3 * r + 2];
            double ac = a + c;
            double ac4 = a + 4 * c;
            out[6 * r][at] = (float) (a * 0.25);
            out[6 * r + 1][at] = (float) (-(ac + b) * SIXTH);
            out[6 * r + 2][at] = (float) (-(ac - b) * SIXTH);
            out[6 * r + 3][at] = (float) ((ac4 + 2 * b) * TWENTY_FOURTH);
            out[6 * r + 4][at] = (float) ((ac4 - 2 * b) * TWENTY_FOURTH);
            out[6 * r + 5][at] = (float) c;
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
                double s12 = u1 + u2;
                double s34 = u3 + u4;
                t[c] = u0 * 0.25 - s12 * SIXTH + s34 * TWENTY_FOURTH;
                t[6 + c] = (u2 - u1) * SIXTH + (u3 - u4) * TWELFTH;
                t[12 + c] = (s34 - s12) * SIXTH + u5;
            }
            for (int r = 0; r < 3; r++) {
                double u0 = t[6 * r], u1 = t[6 * r + 1], u2 = t[6 * r + 2];
                double u3 = t[6 * r + 3], u4 = t[6 * r + 4], u5 = t[6 * r + 5];
                double s12 = u1 + u2;
                double s34 = u3 + u4;
                out[9 * ci + 3 * r] = (float) (u0 * 0.25 - s12 * SIXTH + s34 * TWENTY_FOURTH);
                out[9 * ci + 3 * r + 1] = (float) ((u2 - u1) * SIXTH + (u3 - u4) * TWELFTH);
                out[9 * ci + 3 * r + 2] = (float) ((s34 - s12) * SIXTH + u5);
            }
        }
    }
}
