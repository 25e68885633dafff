package org.gradlab.challenge.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    /** One-hot-ish probabilities whose argmax is {@code pred[i]}. */
    static double[][] probsFor(int[] pred, int k) {
        double[][] p = new double[pred.length][k];
        for (int i = 0; i < pred.length; i++) {
            for (int c = 0; c < k; c++) p[i][c] = 0.3 / (k - 1);
            p[i][pred[i]] = 0.7;
        }
        return p;
    }

    @Test
    void threeClassConfusionWithFirstMaxTieRule() {
        // predictions: s0->0, s1->2, s2 tie 0.4/0.4 -> 1 (first max), s3->1, s4->2
        ClassificationMetrics m = ClassificationMetrics.compute(RocAucTest.P3, RocAucTest.Y3, 3,
                new ClinicalClasses(0, new int[] {0}));
        assertArrayEquals(new int[] {0, 2, 1, 1, 2}, m.predictions());
        assertArrayEquals(new int[][] {{1, 0, 0}, {0, 1, 1}, {0, 1, 1}}, m.confusion());
        assertEquals(0.6, m.accuracy(), 1e-15);
        assertArrayEquals(new double[] {1, 0.5, 0.5}, m.recall(), 1e-15);
        assertEquals(2.0 / 3, m.balancedAccuracy(), 1e-15);
        assertEquals(5.0 / 6, m.macroAuc(), 1e-15);
    }

    @Test
    void dermaClinicalMetrics() {
        int[] y = {0, 1, 4, 4, 5, 5, 2, 3, 6, 4};
        int[] p = {1, 1, 4, 5, 5, 4, 2, 3, 6, 0};
        ClassificationMetrics m = ClassificationMetrics.compute(probsFor(p, 7), y, 7);
        assertEquals(0.6, m.accuracy(), 1e-15); // correct: idx 1,2,4,6,7,8
        // recalls: c0 0/1, c1 1/1, c2 1, c3 1, c4 1/3 (idx 2 of 2,3,9), c5 1/2, c6 1
        assertArrayEquals(new double[] {0, 1, 1, 1, 1.0 / 3, 0.5, 1}, m.recall(), 1e-15);
        assertEquals((0 + 1 + 1 + 1 + 1.0 / 3 + 0.5 + 1) / 7, m.balancedAccuracy(), 1e-15);
        assertEquals(1.0 / 3, m.melanomaRecall(), 1e-15);
        assertEquals((0 + 1 + 1.0 / 3) / 3, m.cancerSensitivity(), 1e-15);
        // cancer images idx 0,1,2,3,9 predicted 1,1,4,5,0 -> 4 of 5 predicted as some cancer
        assertEquals(0.8, m.cancerAsAnyCancer(), 1e-15);
        assertEquals(1, m.confusion()[4][5]);
        assertEquals(1, m.confusion()[4][0]);
    }

    @Test
    void absentClassGivesNaNNotAnError() {
        int[] y = {0, 1, 1, 0};
        ClassificationMetrics m = ClassificationMetrics.compute(probsFor(new int[] {0, 1, 0, 0}, 3), y, 3,
                new ClinicalClasses(1, new int[] {1, 2}));
        assertTrue(Double.isNaN(m.recall()[2]));
        assertTrue(Double.isNaN(m.auc()[2]));
        assertTrue(Double.isNaN(m.macroAuc()));
        assertEquals((1 + 0.5) / 2, m.balancedAccuracy(), 1e-15); // mean over present classes 0, 1
        assertEquals(0.5, m.cancerSensitivity(), 1e-15); // class 2 absent: mean over class 1 only
    }
}
