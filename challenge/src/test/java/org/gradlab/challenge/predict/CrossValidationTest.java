package org.gradlab.challenge.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.data.StratifiedKFold;
import org.junit.jupiter.api.Test;

class CrossValidationTest {
    /** 7 classes with DermaMNIST-like imbalance: 2 .. 201 samples. */
    static int[] labels() {
        int[] counts = {33, 51, 110, 12, 111, 201, 14};
        int n = 0;
        for (int c : counts) {
            n += c;
        }
        int[] l = new int[n];
        for (int c = 0, i = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                l[i++] = c;
            }
        }
        return l;
    }

    @Test
    void everySampleIsInExactlyOneFoldAndClassesAreSpreadEvenly() {
        int[] l = labels();
        int k = 5;
        int[] fold = StratifiedKFold.assign(l, 7, k, true, 42);
        int[] seen = new int[l.length];
        int[][] perFold = new int[k][7];
        for (int f = 0; f < k; f++) {
            for (int i : StratifiedKFold.indices(fold, f, true)) {
                seen[i]++;
                perFold[f][l[i]]++;
            }
            assertEquals(l.length, StratifiedKFold.indices(fold, f, true).length + StratifiedKFold.indices(fold, f, false).length);
        }
        for (int s : seen) {
            assertEquals(1, s);
        }
        int[] total = new int[7];
        for (int x : l) {
            total[x]++;
        }
        for (int c = 0; c < 7; c++) {
            for (int f = 0; f < k; f++) {
                int expected = total[c] / k;
                assertTrue(perFold[f][c] == expected || perFold[f][c] == expected + 1,
                        "class " + c + " fold " + f + ": " + perFold[f][c] + " of " + total[c]);
            }
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int f = 0; f < k; f++) {
            int size = StratifiedKFold.indices(fold, f, true).length;
            min = Math.min(min, size);
            max = Math.max(max, size);
        }
        assertTrue(max - min <= 1, "fold sizes " + min + ".." + max);
        assertArrayEquals(fold, StratifiedKFold.assign(l, 7, k, true, 42), "seeded");
    }

    @Test
    void outOfFoldPredictionsCoverEverySampleExactlyOnce() {
        int[] l = labels();
        int[] fold = StratifiedKFold.assign(l, 7, 4, true, 1);
        OutOfFold oof = new OutOfFold(l.length);
        for (int f = 0; f < 4; f++) {
            int[] held = StratifiedKFold.indices(fold, f, true);
            assertThrows(IllegalStateException.class, oof::predictions);
            double[][] p = new double[held.length][];
            for (int k = 0; k < held.length; k++) {
                p[k] = new double[] {f, held[k]};   // which fold predicted which sample
            }
            oof.put(held, p);
        }
        double[][] all = oof.predictions();
        for (int i = 0; i < l.length; i++) {
            assertEquals(fold[i], (int) all[i][0]);
            assertEquals(i, (int) all[i][1]);
        }
        assertThrows(IllegalStateException.class, () -> oof.put(new int[] {3}, new double[][] {{0, 0}}));
    }

    @Test
    void joinsAndSubsetsSplits() {
        Split a = new Split("train", new byte[] {1, 2, 3, 4}, new int[] {0, 1}, 2, 1, 2, 1);
        Split b = new Split("val", new byte[] {5, 6}, new int[] {1}, 1, 1, 2, 1);
        Split j = StratifiedKFold.concat("train+val", a, b);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, j.images());
        assertArrayEquals(new int[] {0, 1, 1}, j.labels());
        Split s = StratifiedKFold.subset("fold", j, new int[] {2, 0});
        assertArrayEquals(new byte[] {5, 6, 1, 2}, s.images());
        assertArrayEquals(new int[] {1, 0}, s.labels());
        assertThrows(IllegalArgumentException.class, () -> StratifiedKFold.assign(new int[] {0, 1}, 2, 3, true, 0));
    }
}
