package org.gradlab.challenge.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BootstrapTest {
    static double[][] probs;
    static int[] labels;

    static {
        // 300 samples, 7 classes, softmax of noisy logits that favour the true class
        Random r = new Random(3);
        int n = 300;
        probs = new double[n][7];
        labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i < 7 ? i : (r.nextInt(10) < 5 ? 5 : r.nextInt(7));
            double sum = 0;
            for (int c = 0; c < 7; c++) {
                probs[i][c] = Math.exp(r.nextGaussian() + (c == labels[i] ? 1.5 : 0));
                sum += probs[i][c];
            }
            for (int c = 0; c < 7; c++) probs[i][c] /= sum;
        }
    }

    @Test
    void deterministicForASeedAndContainsThePoint() {
        Bootstrap.Interval a = new Bootstrap(42).macroAuc(probs, labels, 7);
        Bootstrap.Interval b = new Bootstrap(42).macroAuc(probs, labels, 7);
        assertEquals(a, b);
        assertEquals(RocAuc.macroOvr(probs, labels, 7), a.point(), 1e-15);
        assertTrue(a.contains(a.point()), a.toString());
        assertTrue(a.upper() - a.lower() > 0.01 && a.upper() - a.lower() < 0.3, a.toString());
        assertTrue(a.resamplesUsed() > 900 && a.resamplesUsed() <= 1000, a.toString());
        assertNotEquals(a, new Bootstrap(43).macroAuc(probs, labels, 7));
    }

    @Test
    void melanomaRecallInterval() {
        Bootstrap.Interval a = new Bootstrap(7).melanomaRecall(probs, labels, 7, ClinicalClasses.DERMAMNIST);
        assertEquals(ClassificationMetrics.compute(probs, labels, 7).melanomaRecall(), a.point(), 1e-15);
        assertTrue(a.contains(a.point()), a.toString());
        assertEquals(a, new Bootstrap(7).melanomaRecall(probs, labels, 7, ClinicalClasses.DERMAMNIST));
        assertTrue(a.lower() >= 0 && a.upper() <= 1);
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        double[] v = {1, 2, 3, 4, 5};
        assertEquals(1.1, Bootstrap.percentile(v, 0.025), 1e-12); // h = 0.1
        assertEquals(4.9, Bootstrap.percentile(v, 0.975), 1e-12); // h = 3.9
        assertEquals(3.0, Bootstrap.percentile(v, 0.5), 0.0);
    }
}
