package org.gradlab.engine.backend.cpu;

/**
 * The two Winograd minimal-filtering algorithms for 3x3 filters that {@link Winograd32} runs:
 * F(m x m, 3x3) computes an m x m block of outputs ("tile") from an (m + 2) x (m + 2) input
 * patch with (m + 2)^2 multiplies per channel pair, one GEMM per such position.
 * <ul>
 *   <li>{@link #F2X2}: 4x4 patches, 16 positions, 2.25x fewer multiplies than direct; its
 *       transforms only add, subtract and halve ({@link WinogradTransforms32});
 *   <li>{@link #F4X4}: 6x6 patches, 36 positions, 4x fewer multiplies; its transforms (points 0,
 *       +-1, +-2 and infinity) scale by up to 8 and 1/24 and lose a few float32 bits
 *       ({@link Winograd4x4Transforms32}).
 * </ul>
 */
enum WinogradTile {
    F2X2(2),
    F4X4(4);

    /** Outputs per tile side. */
    final int m;

    WinogradTile(int m) {
        this.m = m;
    }

    /** Input patch side: m + 2. */
    int alpha() {
        return m + 2;
    }

    /** Transformed positions per tile, one GEMM each: (m + 2)^2. */
    int positions() {
        return alpha() * alpha();
    }

    /** The most positions of any tile (F(4x4)'s 36): sizes the per-thread transform rows. */
    static final int MAX_POSITIONS = 36;
}
