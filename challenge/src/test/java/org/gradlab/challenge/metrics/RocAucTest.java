package org.gradlab.challenge.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocAucTest {
    @Test
    void sklearnDocExample() {
        // pairs (pos, neg): (0.35,0.1)=1 (0.35,0.4)=0 (0.8,0.1)=1 (0.8,0.4)=1 -> 3/4
        assertEquals(0.75, RocAuc.binary(new double[] {0.1, 0.4, 0.35, 0.8}, new int[] {0, 0, 1, 1}), 0.0);
    }

    @Test
    void tiesCountHalf() {
        assertEquals(0.5, RocAuc.binary(new double[] {0.3, 0.3, 0.3, 0.3, 0.3}, new int[] {0, 1, 1, 0, 1}), 0.0);
        // pos {0.5, 0.9}, neg {0.5, 0.2}: (0.5,0.5)=1/2, (0.5,0.2)=1, (0.9,*)=1+1 -> 3.5/4
        assertEquals(0.875, RocAuc.binary(new double[] {0.5, 0.5, 0.2, 0.9}, new int[] {1, 0, 0, 1}), 0.0);
        assertEquals(0.0, RocAuc.binary(new double[] {0.9, 0.1}, new int[] {0, 1}), 0.0);
    }

    @Test
    void matchesBruteForcePairCountingWithManyTies() {
        Random r = new Random(7);
        for (int t = 0; t < 50; t++) {
            int n = 2 + r.nextInt(60);
            double[] s = new double[n];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                s[i] = r.nextInt(5) / 4.0;
                y[i] = i < 2 ? i : r.nextInt(2);
            }
            double num = 0;
            int p = 0;
            int q = 0;
            for (int i = 0; i < n; i++) {
                if (y[i] == 1) p++; else q++;
                for (int j = 0; j < n; j++) {
                    if (y[i] == 1 && y[j] == 0) num += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
            assertEquals(num / ((double) p * q), RocAuc.binary(s, y), 1e-15);
        }
    }

    @Test
    void oneClassIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RocAuc.binary(new double[] {0.1, 0.2}, new int[] {1, 1}));
        assertTrue(e.getMessage().contains("only one class present"), e.getMessage());
    }

    /*
     * 3 classes, 5 samples (rows sum to 1):
     *   s0 [0.7,0.2,0.1] y=0   s1 [0.2,0.3,0.5] y=1   s2 [0.2,0.4,0.4] y=2
     *   s3 [0.3,0.4,0.3] y=1   s4 [0.1,0.3,0.6] y=2
     * class 0: pos {0.7} vs neg {0.2,0.2,0.3,0.1} -> 4/4 = 1
     * class 1: pos {0.3 (s1), 0.4 (s3)} vs neg {0.2 (s0), 0.4 (s2), 0.3 (s4)}
     *          0.3: 1 + 0 + 1/2 = 1.5;  0.4: 1 + 1/2 + 1 = 2.5  -> 4/6
     * class 2: pos {0.4 (s2), 0.6 (s4)} vs neg {0.1 (s0), 0.5 (s1), 0.3 (s3)}
     *          0.4: 1 + 0 + 1 = 2;  0.6: 3  -> 5/6
     * macro = (1 + 4/6 + 5/6) / 3 = 15/18 = 5/6
     */
    static final double[][] P3 = {
        {0.7, 0.2, 0.1}, {0.2, 0.3, 0.5}, {0.2, 0.4, 0.4}, {0.3, 0.4, 0.3}, {0.1, 0.3, 0.6}};
    static final int[] Y3 = {0, 1, 2, 1, 2};

    @Test
    void threeClassByHand() {
        assertArrayEquals(new double[] {1.0, 4.0 / 6, 5.0 / 6}, RocAuc.perClass(P3, Y3, 3), 1e-15);
        assertEquals(5.0 / 6, RocAuc.macroOvr(P3, Y3, 3), 1e-15);
    }

    @Test
    void absentClassAndNonProbabilitiesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RocAuc.macroOvr(P3, new int[] {0, 1, 1, 1, 0}, 3));
        assertTrue(e.getMessage().contains("class 2"), e.getMessage());
        double[][] logits = {{2, 1, 0}, {0, 1, 2}, {1, 2, 0}};
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> RocAuc.macroOvr(logits, new int[] {0, 2, 1}, 3));
        assertTrue(e2.getMessage().contains("sums to 3.0"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RocAuc.macroOvr(P3, new int[] {0, 1, 2, 1, 3}, 3));
    }
}
