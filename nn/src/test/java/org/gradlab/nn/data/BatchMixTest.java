package org.gradlab.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Arrays;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.golden.Reporter;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.gradlab.nn.data.mix.CutMix;
import org.gradlab.nn.data.mix.MixedBatch;
import org.gradlab.nn.data.mix.Mixup;
import org.gradlab.nn.golden.ModelGoldenSuites;
import org.junit.jupiter.api.Test;

class BatchMixTest {
    @Test
    void mixupAndCutMixMatchTheFixture() throws IOException {
        Reporter r = new Reporter(null);
        try (Npz z = Npz.open(SharedFiles.file("golden/soft_cross_entropy.npz"))) {
            ModelGoldenSuites.suites().stream().filter(s -> s.fileName().equals("soft_cross_entropy.npz")).findFirst()
                    .orElseThrow().run(z, r);
        }
        assertEquals(12, r.lines().size(), () -> r.lines().toString());
        assertTrue(r.failures().isEmpty(), () -> r.failures().toString());
    }

    @Test
    void seededDrawsAreReproducibleAndTargetsAreDistributions() {
        Tensor x = Tensor.uniform(new Generator(3), 0, 1, org.gradlab.engine.DType.F32, org.gradlab.engine.Device.CPU, 8, 1, 10, 10);
        int[] y = {0, 1, 2, 0, 1, 2, 0, 1};
        MixedBatch a = new Mixup(0.4).apply(x, y, 3, new Generator(7));
        MixedBatch b = new Mixup(0.4).apply(x, y, 3, new Generator(7));
        assertEquals(a.lambda(), b.lambda());
        assertArrayEquals(a.perm(), b.perm());
        assertArrayEquals(a.images().toFloatArray(), b.images().toFloatArray());
        assertTrue(a.lambda() > 0 && a.lambda() < 1);
        int[] sorted = a.perm().clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, sorted);
        MixedBatch c = new CutMix(1.0).apply(x, y, 3, new Generator(7));
        double[] t = c.targets().toDoubleArray();
        for (int i = 0; i < y.length; i++) {
            assertEquals(1.0, t[3 * i] + t[3 * i + 1] + t[3 * i + 2], 1e-6);
            assertEquals(c.lambda() + (y[c.perm()[i]] == y[i] ? 1 - c.lambda() : 0), t[3 * i + y[i]], 1e-6);
        }
        // the pasted pixels of sample 0 come from sample perm[0], the rest are its own
        float[] xi = x.toFloatArray(), ci = c.images().toFloatArray();
        int own = 0, pasted = 0;
        for (int p = 0; p < 100; p++) {
            if (ci[p] == xi[p]) {
                own++;
            }
            if (ci[p] == xi[c.perm()[0] * 100 + p]) {
                pasted++;
            }
        }
        assertEquals(100, c.perm()[0] == 0 ? own : own + pasted);
        assertEquals(1 - c.lambda(), c.perm()[0] == 0 ? 1 - c.lambda() : pasted / 100.0, 1e-9);
    }

    @Test
    void mixupLambdaFollowsBeta() {
        Generator g = new Generator(11);
        double sum = 0, sq = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            Tensor x = Tensor.zeros(2, 1, 1, 1);
            double l = new Mixup(0.4).apply(x, new int[] {0, 1}, 2, g).lambda();
            sum += l;
            sq += l * l;
        }
        double mean = sum / n, var = sq / n - mean * mean;
        assertEquals(0.5, mean, 0.01);
        assertEquals(0.4 * 0.4 / (0.8 * 0.8 * 1.8), var, 0.005, "Beta(a,a) variance a^2/((2a)^2 (2a+1))");
        assertNotEquals(0, var);
    }

    @Test
    void badInputsAreRejected() {
        Tensor x = Tensor.zeros(2, 1, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> Mixup.mix(x, new int[] {0, 1}, 2, 0.5, new int[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> Mixup.mix(x, new int[] {0, 5}, 2, 0.5, new int[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> CutMix.paste(x, new int[] {0, 1}, 2, new CutMix.Box(0, 5, 0, 1), new int[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> new Mixup(0));
    }
}
