package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.Im2colFixtures.geo;
import static org.gradlab.engine.backend.cpu.Im2colFixtures.offHeap;
import static org.gradlab.engine.backend.cpu.Im2colFixtures.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.Random;
import org.gradlab.engine.DType;
import org.junit.jupiter.api.Test;

/**
 * The float32 im2col/col2im of {@link Im2col}: the general padded-copy version against the plain
 * float64 loops of {@link ConvReference} on strided, padded, non-square and odd geometries; the
 * shifted-plane version (stride 1, output the size of the input) against the padded one on every
 * plane size from 1x1 to 7x7 (and 70 wide) and kernels 1, 3, 5 (square and not), inside a wider
 * off-heap col matrix (ld > L, nonzero offsets) so a write outside a row shows up.
 */
class Im2colF32Test {
    private static Im2col.Geo same(int h, int w, int kh, int kw) {
        return new Im2col.Geo(h, w, kh, kw, 1, 1, (kh - 1) / 2, (kw - 1) / 2, h, w);
    }

    @Test
    void shiftedPlanesEqualThePaddedCopyAndTheirAdjoint() {
        Random r = new Random(11);
        int[][] kernels = {{1, 1}, {3, 3}, {5, 5}, {3, 1}, {1, 5}, {5, 3}};
        for (int[] k : kernels) {
            for (int h = 1; h <= 7; h++) {
                for (int w : new int[] {1, 2, 3, 4, 5, 6, 7, 70}) { // 70: zero runs long enough for setMemory
                    int channels = 1 + (h + w) % 3;
                    Im2col.Geo g = same(h, w, k[0], k[1]);
                    assertTrue(Im2col.isSameShift(g));
                    int l = h * w;
                    int rows = channels * k[0] * k[1];
                    int ld = l + 5;
                    int colOff = 3;
                    int xOff = 2;
                    float[] x = new float[xOff + channels * l];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    float[] pad = new float[Im2col.paddedSize(channels, g)];
                    float[] gaps = new float[colOff + rows * ld];
                    java.util.Arrays.fill(gaps, 7f); // the gaps between rows must stay untouched
                    String where = "kernel " + k[0] + "x" + k[1] + ", plane " + h + "x" + w;
                    try (CpuStorage expected = offHeap(gaps); CpuStorage actual = offHeap(gaps)) {
                        Im2col.im2colPadded(x, xOff, channels, g, pad, at(expected, colOff), ld);
                        Im2col.im2colShift(x, xOff, channels, g, at(actual, colOff), ld);
                        assertArrayEquals(read(expected), read(actual), where);
                    }

                    float[] col = new float[colOff + rows * ld];
                    for (int i = 0; i < col.length; i++) {
                        col[i] = (float) r.nextGaussian();
                    }
                    float[] back = new float[xOff + channels * l];
                    float[] backShift = new float[xOff + channels * l];
                    java.util.Arrays.fill(back, 5f);
                    java.util.Arrays.fill(backShift, 5f);
                    try (CpuStorage c1 = offHeap(col); CpuStorage c2 = offHeap(col)) {
                        Im2col.col2imPadded(at(c1, colOff), ld, channels, g, pad, back, xOff);
                        Im2col.col2imShift(at(c2, colOff), ld, channels, g, backShift, xOff);
                        assertArrayEquals(col, read(c2), where + ": col2im leaves col as it was");
                    }
                    for (int i = 0; i < back.length; i++) {
                        assertEquals(back[i], backShift[i], 1e-5f, where + ", col2im element " + i);
                    }
                }
            }
        }
    }

    @Test
    void thePaddedCopyEqualsTheReferenceLoops() {
        Random r = new Random(5);
        Im2col.Geo[] geos = {
            geo(7, 9, 3, 3, 2, 2, 1, 1), geo(8, 5, 2, 4, 1, 2, 0, 2), geo(11, 10, 5, 5, 3, 3, 2, 1),
            geo(6, 6, 3, 3, 1, 1, 0, 0), geo(5, 5, 1, 1, 2, 2, 0, 0), geo(4, 7, 3, 1, 1, 3, 1, 0), geo(1, 1, 3, 3, 1, 1, 1, 1)};
        for (Im2col.Geo g : geos) {
            int channels = 3;
            int l = g.ho() * g.wo();
            int rows = channels * g.kh() * g.kw();
            float[] x = new float[channels * g.h() * g.w()];
            DoubleBuffer x64 = DoubleBuffer.allocate(x.length);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
                x64.put(i, x[i]);
            }
            String where = g.toString();
            float[] col;
            try (CpuStorage st = new CpuStorage(DType.F32, rows * l, false)) {
                Im2col.im2col(x, 0, channels, g, new float[Im2col.paddedSize(channels, g)], st, 0, l); // the padded path
                col = read(st);
            }
            DoubleBuffer col64 = DoubleBuffer.allocate(rows * l);
            ConvReference.im2col(x64, 0, channels, g, col64);
            for (int i = 0; i < col.length; i++) {
                assertEquals(col64.get(i), col[i], 0.0, where + ", im2col element " + i); // copies: exact
            }

            float[] gcol = new float[rows * l];
            DoubleBuffer gcol64 = DoubleBuffer.allocate(rows * l);
            for (int i = 0; i < gcol.length; i++) {
                gcol[i] = (float) r.nextGaussian();
                gcol64.put(i, gcol[i]);
            }
            float[] gx = new float[x.length];
            java.util.Arrays.fill(gx, 9f); // written whole
            try (CpuStorage st = offHeap(gcol)) {
                Im2col.col2im(st, 0, l, channels, g, new float[Im2col.paddedSize(channels, g)], gx, 0); // the padded path
            }
            DoubleBuffer gx64 = DoubleBuffer.allocate(x.length); // zero: the reference adds
            ConvReference.col2im(gcol64, channels, g, gx64, 0);
            for (int i = 0; i < gx.length; i++) {
                assertEquals(gx64.get(i), gx[i], 1e-5, where + ", col2im element " + i);
            }
        }
    }

    /** The address of element {@code from} of s, the rest of s in range. */
    private static long at(CpuStorage s, int from) {
        return OffHeap.floats(s, from, s.f32().capacity() - from);
    }


    @Test
    void stridedOrShrinkingConvsKeepThePaddedPath() {
        assertFalse(Im2col.isSameShift(new Im2col.Geo(8, 8, 3, 3, 2, 2, 1, 1, 4, 4)));
        assertFalse(Im2col.isSameShift(new Im2col.Geo(8, 8, 3, 3, 1, 1, 0, 0, 6, 6)));
    }
}
