package org.gradlab.engine.backend;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** erf against the C library's values (printed by Python's math.erf, which calls it). */
class ErfTest {
    private static final double[][] LIBM = {
            {0, 0.0}, {1e-10, 1.1283791670955126e-10}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465},
            {0.84375, 0.7672256612323416}, {1, 0.8427007929497149}, {1.5, 0.9661051464753108}, {2, 0.9953222650189527},
            {2.5, 0.999593047982555}, {2.9, 0.9999589021219005}, {3, 0.9999779095030014}, {3.5, 0.9999992569016276},
            {4, 0.9999999845827421}, {5, 0.9999999999984626}, {5.9, 0.9999999999999999}, {6, 1.0},
            {-0.3, -0.3286267594591274}, {-2.7, -0.9998656672600594}, {-7, -1.0}, {27, 1.0}};

    @Test
    void matchesTheCLibraryWithinFourUlps() {
        for (double[] c : LIBM) {
            double got = Erf.erf(c[0]);
            assertEquals(c[1], got, 4 * Math.ulp(c[1]) + Double.MIN_VALUE, "erf(" + c[0] + ")");
        }
    }

    @Test
    void isOddContinuousAtTheSwitchAndPropagatesNaN() {
        for (double x = -8; x <= 8; x += 0.01) {
            assertEquals(-Erf.erf(x), Erf.erf(-x), 0.0);
        }
        assertEquals(Erf.erf(Math.nextDown(2.5)), Erf.erf(2.5), 1e-15);
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
    }
}
