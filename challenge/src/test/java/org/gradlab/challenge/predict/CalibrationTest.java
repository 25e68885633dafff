package org.gradlab.challenge.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    @Test
    void brierByHand() {
        double[][] p = {{0.7, 0.2, 0.1}, {0.5, 0.5, 0.0}};
        int[] y = {0, 2};
        // (0.09 + 0.04 + 0.01 + 0.25 + 0.25 + 1) / 2
        assertEquals(0.82, Calibration.brier(p, y), 1e-12);
        assertEquals(0.0, Calibration.brier(new double[][] {{1, 0}}, new int[] {0}));
        assertEquals(2.0, Calibration.brier(new double[][] {{1, 0}}, new int[] {1}));
    }

    @Test
    void reliabilityBinsByTopConfidence() {
        double[][] p = {{0.95, 0.05}, {0.92, 0.08}, {0.35, 0.65}, {0.4, 0.6}, {0.5, 0.5}};
        int[] y = {0, 1, 1, 0, 0};
        Calibration.Reliability r = Calibration.reliability(p, y, 10);
        assertEquals(2, r.count()[9]);
        assertEquals(0.935, r.confidence()[9], 1e-12);
        assertEquals(0.5, r.accuracy()[9]);
        assertEquals(2, r.count()[6]);   // 0.65 and 0.6 both in [0.6, 0.7)
        assertEquals(0.5, r.accuracy()[6]);
        assertEquals(1, r.count()[5]);   // 0.5, class 0 first among ties: correct
        assertEquals(1.0, r.accuracy()[5]);
        assertTrue(Double.isNaN(r.accuracy()[0]));
        double ece = 2 / 5.0 * Math.abs(0.5 - 0.935) + 2 / 5.0 * Math.abs(0.5 - 0.625) + 1 / 5.0 * 0.5;
        assertEquals(ece, r.ece(), 1e-12);
    }

    /** Labels drawn from softmax(z), the model reports softmax(3z): over-confident by a temperature of 3. */
    static Object[] overconfident(int n, long seed) {
        SplittableRandom g = new SplittableRandom(seed);
        double[][] reported = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double[] z = {g.nextGaussian(), g.nextGaussian(), g.nextGaussian()};
            double[] truth = softmax(z, 1);
            double u = g.nextDouble();
            y[i] = u < truth[0] ? 0 : u < truth[0] + truth[1] ? 1 : 2;
            reported[i] = softmax(z, 3);
        }
        return new Object[] {reported, y};
    }

    static double[] softmax(double[] z, double beta) {
        double[] p = new double[z.length];
        double s = 0;
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(beta * z[c]);
            s += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= s;
        }
        return p;
    }

    @Test
    void temperatureScalingLowersValidationNllAndFindsTheOverconfidence() {
        Object[] d = overconfident(20000, 11);
        double[][] p = (double[][]) d[0];
        int[] y = (int[]) d[1];
        double t = TemperatureScaling.fit(p, y);
        double before = Calibration.nll(p, y);
        double[][] after = TemperatureScaling.apply(p, t);
        assertTrue(Calibration.nll(after, y) < before - 0.05, "NLL " + before + " -> " + Calibration.nll(after, y));
        assertEquals(3.0, t, 0.15, "the data were made 3x over-confident");
        // the fitted T is the minimum: nudging it either way raises the NLL
        assertTrue(Calibration.nll(TemperatureScaling.apply(p, t * 1.05), y) > Calibration.nll(after, y));
        assertTrue(Calibration.nll(TemperatureScaling.apply(p, t / 1.05), y) > Calibration.nll(after, y));
        // the argmax never changes
        for (int i = 0; i < 100; i++) {
            assertEquals(argmax(p[i]), argmax(after[i]));
        }
        assertTrue(Calibration.brier(after, y) < Calibration.brier(p, y));
    }

    @Test
    void temperatureOneLeavesProbabilitiesAlone() {
        double[][] p = {{0.2, 0.3, 0.5}};
        assertArrayEquals(p[0], TemperatureScaling.apply(p, 1.0)[0], 1e-15);
    }

    static int argmax(double[] v) {
        int a = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[a]) {
                a = i;
            }
        }
        return a;
    }
}
