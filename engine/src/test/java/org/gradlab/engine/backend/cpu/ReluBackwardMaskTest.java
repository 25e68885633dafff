package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bit-mask ReLU backward equals the rule it replaces, g if x > 0 else 0, on every kind of float. */
class ReluBackwardMaskTest {
    @Test
    void masksAgreeWithTheCompareOnSpecialAndRandomValues() {
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f};
        Random r = new Random(3);
        int n = special.length + 1000;
        float[] x = new float[n];
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i < special.length ? special[i] : Float.intBitsToFloat(r.nextInt());
            g[i] = (float) r.nextGaussian();
        }
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = x[i] > 0 ? g[i] : 0f;
        }
        int[] gb = new int[n];
        int[] xb = new int[n];
        for (int i = 0; i < n; i++) {
            gb[i] = Float.floatToRawIntBits(g[i]);
            xb[i] = Float.floatToRawIntBits(x[i]);
        }
        CpuElementwise.reluBackward(gb, xb, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(Float.intBitsToFloat(gb[i])),
                    "x = " + x[i] + " (element " + i + ")");
        }
    }
}
