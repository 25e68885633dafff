package org.gradlab.challenge.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradlab.challenge.metrics.Bootstrap;
import org.junit.jupiter.api.Test;

class OperatingPointTest {
    // 10 positives with scores .95 .9 .85 .8 .7 .6 .5 .4 .3 .2 and 6 negatives .75 .65 .45 .35 .1 .05
    static final double[] S = {.95, .9, .85, .8, .7, .6, .5, .4, .3, .2, .75, .65, .45, .35, .1, .05};
    static final boolean[] P = {true, true, true, true, true, true, true, true, true, true,
            false, false, false, false, false, false};

    @Test
    void thresholdIsTheLargestReachingTheTargetRecall() {
        assertEquals(0.5, OperatingPoint.threshold(S, P, 0.70));   // 7 of 10: the 7th largest positive
        assertEquals(0.7, OperatingPoint.threshold(S, P, 0.41));   // ceil(4.1) = 5
        assertEquals(0.7, OperatingPoint.threshold(S, P, 0.5));    // exactly 5
        assertEquals(0.2, OperatingPoint.threshold(S, P, 1.0));
        assertEquals(0.95, OperatingPoint.threshold(S, P, 0.01));  // at least one
    }

    @Test
    void tiesAtTheThresholdAreFlaggedSoRecallNeverFallsShort() {
        double[] s = {0.6, 0.6, 0.6, 0.9, 0.1};
        boolean[] p = {true, true, true, true, false};
        double t = OperatingPoint.threshold(s, p, 0.5);  // needs 2 of 4: the 2nd largest is 0.6, flagging 4
        assertEquals(0.6, t);
        assertEquals(1.0, OperatingPoint.at(s, p, t, null).recall());
    }

    @Test
    void ratesAtTheThresholdByHand() {
        OperatingPoint.Rates r = OperatingPoint.at(S, P, 0.5, null);
        // flagged >= .5: positives .95..0.5 (7), negatives .75 .65 (2)
        assertEquals(7, r.tp());
        assertEquals(2, r.fp());
        assertEquals(4, r.tn());
        assertEquals(3, r.fn());
        assertEquals(0.7, r.recall(), 1e-15);
        assertEquals(4 / 6.0, r.specificity(), 1e-15);
        assertEquals(7 / 9.0, r.precision(), 1e-15);
    }

    @Test
    void intervalsBracketThePointEstimate() {
        OperatingPoint.Rates r = OperatingPoint.at(S, P, 0.5, new Bootstrap(3));
        assertTrue(r.recallCi()[0] <= 0.7 && 0.7 <= r.recallCi()[1]);
        assertTrue(r.specificityCi()[0] < r.specificityCi()[1]);
        assertTrue(r.precisionCi()[0] <= r.precision() && r.precision() <= r.precisionCi()[1]);
    }

    @Test
    void choosesOnValidationAndAppliesToTest() {
        double[][] val = new double[S.length][];
        int[] vl = new int[S.length];
        for (int i = 0; i < S.length; i++) {
            val[i] = new double[] {1 - S[i], S[i]};
            vl[i] = P[i] ? 1 : 0;
        }
        double[][] test = {{0.5, 0.5}, {0.6, 0.4}, {0.3, 0.7}, {0.45, 0.55}};
        int[] tl = {1, 1, 0, 0};
        OperatingPoint.Result res = OperatingPoint.choose("mel", 1, 0.7, val, vl, test, tl, 1);
        assertEquals(0.5, res.threshold());
        assertEquals(0.5, res.test().recall());       // 0.5 flagged, 0.4 missed
        assertEquals(0.0, res.test().specificity());  // both negatives flagged
        assertThrows(IllegalArgumentException.class, () -> OperatingPoint.threshold(S, P, 0));
        assertThrows(IllegalArgumentException.class, () -> OperatingPoint.threshold(S, new boolean[S.length], 0.5));
    }
}
