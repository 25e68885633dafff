package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The float exp of softmax's fast path against Math.exp over its whole domain (x ≤ 0). */
class RowLoops32Test {
    @Test
    void expNonPositiveIsWithinTwoUlpOfMathExp() {
        double worstUlps = 0;
        for (int i = 0; i <= 2_000_000; i++) {
            float x = (float) (-88.0 * i / 2_000_000);
            float exact = (float) Math.exp(x);
            float mine = RowLoops32.expNonPositive(x);
            if (exact < Float.MIN_NORMAL) {
                assertTrue(mine == 0 || Math.abs(mine - exact) <= Float.MIN_NORMAL, "x=" + x + ": " + mine + " vs " + exact);
                continue;
            }
            worstUlps = Math.max(worstUlps, Math.abs(mine - exact) / Math.ulp(exact));
        }
        assertTrue(worstUlps <= 2, "worst error " + worstUlps + " ulp");
        assertEquals(1f, RowLoops32.expNonPositive(0f));
        assertEquals(0f, RowLoops32.expNonPositive(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(RowLoops32.expNonPositive(Float.NaN)));
    }
}
