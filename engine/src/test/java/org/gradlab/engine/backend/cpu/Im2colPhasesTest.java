package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.Im2colFixtures.geo;
import static org.gradlab.engine.backend.cpu.Im2colFixtures.offHeap;
import static org.gradlab.engine.backend.cpu.Im2colFixtures.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The phase im2col / col2im of strided convs without overlapping windows ({@link Im2colPhases},
 * reached through {@link Im2col#im2col} and {@link Im2col#col2im}) against the float64 loops of
 * {@link ConvReference}: strides 2-4 (and mixed), padding 0-1, kernels up to the stride, square
 * and not, even and odd planes, inputs whose last rows and columns no window reads; the col matrix sits inside a
 * wider off-heap matrix (ld > L, nonzero offset) whose gaps must stay untouched, and x at an offset
 * in a larger heap array whose outside must stay untouched too.
 */
class Im2colPhasesTest {

    @Test
    void onlyStridedConvsWithoutOverlapTakeThePhasePath() {
        assertTrue(Im2colPhases.applies(geo(28, 28, 1, 1, 2, 2, 0, 0)));
        assertTrue(Im2colPhases.applies(geo(16, 16, 4, 4, 4, 4, 0, 0)));
        assertFalse(Im2colPhases.applies(geo(28, 28, 3, 3, 2, 2, 1, 1))); // overlapping windows
        assertFalse(Im2colPhases.applies(geo(8, 8, 1, 1, 1, 1, 0, 0))); // stride 1
    }

    @Test
    void phasesEqualTheReferenceLoopsAndTheirAdjoint() {
        Random r = new Random(23);
        int checked = 0;
        for (int s : new int[] {2, 3, 4}) {
            for (int k = 1; k <= s; k++) {
                for (int pad = 0; pad <= 1; pad++) {
                    for (int h : new int[] {1, 2, 4, 5, 7, 8, 14}) {
                        int w = h == 14 ? 13 : h + 1; // non-square, odd and even
                        if (h + 2 * pad < k || w + 2 * pad < k) {
                            continue;
                        }
                        check(r, geo(h, w, k, k, s, s, pad, pad));
                        checked++;
                    }
                }
            }
        }
        // one direction strided, the other not; kernels not square
        check(r, geo(9, 10, 2, 1, 2, 1, 0, 0));
        check(r, geo(9, 10, 1, 2, 3, 2, 1, 0));
        check(r, geo(11, 6, 3, 2, 3, 2, 1, 1));
        check(r, geo(6, 6, 1, 1, 2, 2, 0, 0));
        assertTrue(checked > 80, "geometries checked: " + checked);
    }

    private static void check(Random r, Im2col.Geo g) {
        assertTrue(Im2colPhases.applies(g), g.toString());
        int channels = 3;
        int l = g.ho() * g.wo();
        int rows = channels * g.kh() * g.kw();
        int ld = l + 3;
        int colOff = 5;
        int xOff = 4;
        int planes = channels * g.h() * g.w();
        float[] x = new float[xOff + planes + 2];
        DoubleBuffer x64 = DoubleBuffer.allocate(planes);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < planes; i++) {
            x64.put(i, x[xOff + i]);
        }
        float[] pad = new float[Im2col.paddedSize(channels, g)]; // unused on this path
        float[] gaps = new float[colOff + rows * ld];
        Arrays.fill(gaps, 7f);
        float[] col;
        try (CpuStorage st = offHeap(gaps)) {
            Im2col.im2col(x, xOff, channels, g, pad, st, colOff, ld);
            col = read(st);
        }
        DoubleBuffer col64 = DoubleBuffer.allocate(rows * l);
        ConvReference.im2col(x64, 0, channels, g, col64);
        for (int i = 0; i < col.length; i++) {
            int rel = i - colOff;
            boolean inside = rel >= 0 && rel % ld < l;
            double expected = inside ? col64.get(rel / ld * l + rel % ld) : 7f;
            assertEquals(expected, col[i], 0.0, g + ", im2col element " + i); // copies: exact
        }

        float[] gcol = new float[colOff + rows * ld];
        DoubleBuffer gcol64 = DoubleBuffer.allocate(rows * l);
        for (int i = 0; i < gcol.length; i++) {
            gcol[i] = (float) r.nextGaussian();
            int rel = i - colOff;
            if (rel >= 0 && rel % ld < l) {
                gcol64.put(rel / ld * l + rel % ld, gcol[i]);
            }
        }
        float[] gx = new float[x.length];
        Arrays.fill(gx, 9f); // the planes are written whole, the rest stays
        try (CpuStorage st = offHeap(gcol)) {
            Im2col.col2im(st, colOff, ld, channels, g, pad, gx, xOff);
            float[] after = read(st);
            for (int i = 0; i < gcol.length; i++) {
                assertEquals(gcol[i], after[i], 0f, g + ": col2im leaves col as it was");
            }
        }
        DoubleBuffer gx64 = DoubleBuffer.allocate(planes); // zero: the reference adds
        ConvReference.col2im(gcol64, channels, g, gx64, 0);
        for (int i = 0; i < gx.length; i++) {
            boolean inside = i >= xOff && i < xOff + planes;
            double expected = inside ? gx64.get(i - xOff) : 9f;
            assertEquals(expected, gx[i], 1e-5, g + ", col2im element " + i);
        }
    }
}
