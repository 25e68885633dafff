package org.gradlab.nn.data.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.gradlab.nn.data.ArrayDataset;
import org.gradlab.nn.data.Batch;
import org.gradlab.nn.data.DataLoader;
import org.junit.jupiter.api.Test;

class SamplersTest {
    /** 100 samples: 80 of class 0, 15 of class 1, 5 of class 2 (indices grouped by class). */
    static int[] imbalanced() {
        int[] l = new int[100];
        Arrays.fill(l, 80, 95, 1);
        Arrays.fill(l, 95, 100, 2);
        return l;
    }

    static int[] counts(int[] idx, int[] labels, int k) {
        int[] c = new int[k];
        for (int i : idx) {
            c[labels[i]]++;
        }
        return c;
    }

    @Test
    void balancedDrawsTheSameCountFromEveryClassEveryEpoch() {
        int[] labels = imbalanced();
        BalancedSampler s = new BalancedSampler(labels, 3, 99, 5);
        for (int e = 0; e < 4; e++) {
            int[] idx = s.indices(e);
            assertEquals(99, idx.length);
            assertArrayEquals(new int[] {33, 33, 33}, counts(idx, labels, 3), "epoch " + e);
        }
        // 100 = 34 + 33 + 33 in some order: the remainder goes to one class
        int[] c = counts(new BalancedSampler(labels, 3, 100, 5).indices(0), labels, 3);
        assertEquals(100, Arrays.stream(c).sum());
        assertEquals(33, Arrays.stream(c).min().getAsInt());
        assertEquals(34, Arrays.stream(c).max().getAsInt());
    }

    @Test
    void balancedDrawsWithReplacementFromTheRareClassAndIsDeterministic() {
        int[] labels = imbalanced();
        BalancedSampler s = new BalancedSampler(labels, 3, 300, 5);
        int[] idx = s.indices(0);
        Set<Integer> rare = new HashSet<>();
        for (int i : idx) {
            if (labels[i] == 2) {
                rare.add(i);
            }
        }
        assertEquals(Set.of(95, 96, 97, 98, 99), rare, "100 draws from 5 rare samples repeat them all");
        assertArrayEquals(idx, new BalancedSampler(labels, 3, 300, 5).indices(0), "same seed and epoch, same order");
        assertFalse(Arrays.equals(idx, s.indices(1)), "a new epoch draws anew");
    }

    @Test
    void balancedSkipsAbsentClasses() {
        int[] labels = {0, 0, 0, 2};
        assertArrayEquals(new int[] {5, 0, 5}, counts(new BalancedSampler(labels, 3, 10, 1).indices(0), labels, 3));
    }

    @Test
    void downsampleMajorityKeepsEveryMinoritySampleAndAFreshMajoritySubsample() {
        int[] labels = imbalanced();
        DownsampleMajoritySampler s = new DownsampleMajoritySampler(labels, 3, 2.0, 7);
        assertEquals(0, s.majorityClass());
        assertEquals(30, s.keptPerEpoch(), "ratio 2 x the largest other class (15)");
        assertEquals(50, s.length());
        Set<Integer> seen = new HashSet<>();
        Set<Integer> first = null;
        for (int e = 0; e < 3; e++) {
            int[] idx = s.indices(e);
            assertArrayEquals(new int[] {30, 15, 5}, counts(idx, labels, 3), "epoch " + e);
            Set<Integer> major = new HashSet<>();
            Set<Integer> all = new HashSet<>();
            for (int i : idx) {
                all.add(i);
                if (labels[i] == 0) {
                    major.add(i);
                }
            }
            assertEquals(50, all.size(), "no index repeats within an epoch");
            if (first == null) {
                first = major;
            } else {
                assertFalse(first.equals(major), "epoch " + e + " draws other majority samples than epoch 0");
            }
            seen.addAll(major);
        }
        assertTrue(seen.size() > 30, "over epochs more of the majority class is used: " + seen.size());
    }

    @Test
    void downsampleMajorityNeverKeepsMoreThanThereIs() {
        int[] labels = imbalanced();
        DownsampleMajoritySampler s = new DownsampleMajoritySampler(labels, 3, 100.0, 7);
        assertEquals(80, s.keptPerEpoch());
        assertEquals(100, s.length());
        assertThrows(IllegalArgumentException.class, () -> new DownsampleMajoritySampler(new int[] {1, 1}, 2, 1.0, 0));
        assertThrows(IllegalArgumentException.class, () -> new DownsampleMajoritySampler(labels, 3, 0.0, 0));
    }

    @Test
    void dataLoaderVisitsTheSamplersIndices() {
        int[] labels = imbalanced();
        byte[] images = new byte[100 * 4];
        for (int i = 0; i < 100; i++) {
            images[4 * i] = (byte) i;  // pixel (0,0) names the sample
        }
        DownsampleMajoritySampler s = new DownsampleMajoritySampler(labels, 3, 1.0, 3);
        try (DataLoader dl = DataLoader.builder(new ArrayDataset(images, labels, 2, 2, 1)).batchSize(8).seed(3)
                .sampler(s).workers(0).build()) {
            assertEquals((s.length() + 7) / 8, dl.batchesPerEpoch());
            int[] visited = new int[s.length()];
            int at = 0;
            for (Batch b : dl.epoch(2)) {
                try (b) {
                    float[] x = b.images().toFloatArray();
                    for (int k = 0; k < b.size(); k++) {
                        visited[at++] = Math.round(x[4 * k] * 255f);
                        assertEquals(labels[visited[at - 1]], b.labels()[k]);
                    }
                }
            }
            assertArrayEquals(s.indices(2), visited);
        }
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(new ArrayDataset(images, labels, 2, 2, 1))
                .sampler(s).shuffle(true).build());
    }
}
