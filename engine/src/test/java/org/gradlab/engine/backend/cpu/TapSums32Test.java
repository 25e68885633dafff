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
}
