package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * {@link TapSums32} against the same sums in double, and {@link VectorLanes}' switch: the build's
 * test runs start the JVM with {@code --add-modules jdk.incubator.vector}, so the vector kernels
 * are what the conv tests check (and a second run with {@code -Dgradlab.cpu.vector=false} checks
 * the plain loops).
 */
class TapSums32Test {
    static boolean vectors() {
        return VectorLanes.enabled();
    }

    @Test
    void theBuildsTestRunsUseTheVectorKernelsUnlessToldNotTo() {
        boolean off = "false".equalsIgnoreCase(System.getProperty(VectorLanes.PROPERTY));
        assertEquals(!off, VectorLanes.enabled(), VectorLanes.describe());
        assertTrue(VectorLanes.describe().startsWith(off ? "off" : "on ("), VectorLanes.describe());
    }

    @Test
    @EnabledIf("vectors")
    void sumsEveryTapOverTheRangeInWholeVectors() {
        Random r = new Random(5);
        int lanes = TapSums32.lanes();
        for (int trial = 0; trial < 200; trial++) {
            int from = r.nextInt(20);
            int to = from + r.nextInt(9 * lanes + 3);
            int taps = r.nextInt(27);
            int[] off = new int[taps];
            float[] w = new float[taps + 3];
            for (int t = 0; t < taps; t++) {
                off[t] = r.nextInt(40);
            }
            for (int t = 0; t < w.length; t++) {
                w[t] = r.nextFloat() * 2 - 1;
            }
            int end = TapSums32.end(from, to);
            assertTrue(end >= to && end < Math.max(to, from) + lanes && (end - from) % lanes == 0);
            float[] src = new float[40 + end];
            for (int i = 0; i < src.length; i++) {
                src[i] = r.nextFloat() * 2 - 1;
            }
            float[] dst = new float[end + 5];
            for (int i = 0; i < dst.length; i++) {
                dst[i] = r.nextFloat();
            }
            float[] before = dst.clone();
            boolean accumulate = r.nextBoolean();
            float base = r.nextFloat();
            TapSums32.sum(dst, from, to, accumulate, base, src, off, w, 3, taps);
            for (int i = 0; i < dst.length; i++) {
                if (i < from || i >= end) {
                    assertEquals(before[i], dst[i], "outside [from, end) untouched at " + i);
                } else if (i < to) {
                    double want = accumulate ? before[i] : base;
                    for (int t = 0; t < taps; t++) {
                        want += (double) w[3 + t] * src[off[t] + i];
                    }
                    assertEquals(want, dst[i], 1e-5, "trial " + trial + " at " + i);
                }
            }
        }
    }

    @Test
    @EnabledIf("vectors")
    void sumsRowsInRowMajorUnitsAndCopiesRows() {
        Random r = new Random(6);
        int lanes = TapSums32.lanes();
        for (int trial = 0; trial < 200; trial++) {
            int width = 1 + r.nextInt(3 * lanes);
            boolean accumulate = r.nextBoolean();
            if (accumulate) {
                width = lanes * (1 + r.nextInt(3)); // whole vectors (the contract)
            }
            int rows = 1 + r.nextInt(9);
            int srcStride = width + r.nextInt(6);
            int taps = 1 + r.nextInt(25);
            int[] off = new int[taps];
            float[] w = new float[taps];
            for (int t = 0; t < taps; t++) {
                off[t] = r.nextInt(30);
                w[t] = r.nextFloat() * 2 - 1;
            }
            int srcAt = r.nextInt(7);
            int dstAt = r.nextInt(7);
            float[] src = new float[30 + srcAt + rows * srcStride + lanes];
            for (int i = 0; i < src.length; i++) {
                src[i] = r.nextFloat() * 2 - 1;
            }
            float[] dst = new float[dstAt + rows * width + lanes + 3];
            for (int i = 0; i < dst.length; i++) {
                dst[i] = r.nextFloat();
            }
            float[] before = dst.clone();
            float base = r.nextFloat();
            TapSums32.sumRows(dst, dstAt, width, rows, accumulate, base, src, srcAt, srcStride, off, w, 0, taps);
            for (int i = 0; i < dstAt; i++) {
                assertEquals(before[i], dst[i], "before dstAt untouched at " + i);
            }
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < width; j++) {
                    int d = dstAt + row * width + j;
                    double want = accumulate ? before[d] : base;
                    for (int t = 0; t < taps; t++) {
                        want += (double) w[t] * src[off[t] + srcAt + row * srcStride + j];
                    }
                    assertEquals(want, dst[d], 1e-5, "trial " + trial + " row " + row + " column " + j);
                }
            }
            for (int i = dstAt + (rows - 1) * width + TapSums32.end(0, width); i < dst.length; i++) {
                assertEquals(before[i], dst[i], "past the last row's whole vectors untouched at " + i);
            }
            float[] copy = new float[dstAt + rows * srcStride + 2];
            TapSums32.copyRows(src, srcAt, srcStride, copy, dstAt, srcStride, rows, width);
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < srcStride; j++) {
                    float want = j < width ? src[srcAt + row * srcStride + j] : 0f;
                    assertEquals(want, copy[dstAt + row * srcStride + j], "copy row " + row + " column " + j);
                }
            }
        }
    }
}
