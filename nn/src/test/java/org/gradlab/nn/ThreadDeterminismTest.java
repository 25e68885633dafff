package org.gradlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.cpu.Parallel;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.models.ChallengeModels;
import org.gradlab.nn.optim.Adam;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Same seed, same thread count, same numbers: exp 08's BatchNorm CNN trained for a few Adam steps
 * at a batch large enough that every CPU kernel splits across threads (conv per sample and in
 * blocks, batch norm, max-pool, ReLU, GEMM, Adam), twice with 2 threads and twice with 3, gives
 * bit-identical losses and parameters; 1 thread agrees with them to float32 rounding.
 */
class ThreadDeterminismTest {
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    private record Run(double[] losses, Map<String, float[]> state) {}

    private static Run train(int threads) {
        Parallel.setThreads(threads);
        Module m = ChallengeModels.exp08BatchNorm(new Generator(11));
        Adam opt = new Adam(m.trainableParameters(), 1e-2);
        Tensor x = Tensor.normal(new Generator(12), 0, 1, DType.F32, Device.CPU, 24, 3, 28, 28);
        int[] y = new int[24];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 7;
        }
        double[] losses = new double[4];
        for (int step = 0; step < losses.length; step++) {
            try (MemoryScope s = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = CrossEntropy.apply(m.forward(x), y, null, 0, Reduction.MEAN);
                loss.backward();
                opt.step();
                losses[step] = loss.item();
            }
        }
        Map<String, float[]> state = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> state.put(k, v.dtype() == DType.F32 ? v.toFloatArray() : toFloats(v)));
        return new Run(losses, state);
    }

    private static float[] toFloats(Tensor t) {
        double[] d = t.toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void aFixedThreadCountGivesTheSameBitsOnEveryRun() {
        for (int threads : new int[] {2, 3}) {
            Run a = train(threads);
            Run b = train(threads);
            assertArrayEquals(a.losses(), b.losses(), threads + " threads: losses");
            assertEquals(a.state().keySet(), b.state().keySet());
            a.state().forEach((k, v) -> assertArrayEquals(v, b.state().get(k), threads + " threads: " + k));
        }
    }

    @Test
    void oneThreadAndThreeAgreeToRounding() {
        Run one = train(1);
        Run three = train(3);
        for (int i = 0; i < one.losses().length; i++) {
            double d = Math.abs(one.losses()[i] - three.losses()[i]);
            assertTrue(d <= 1e-4 * Math.abs(one.losses()[i]), "step " + i + ": loss " + one.losses()[i] + " vs " + three.losses()[i]);
        }
    }
}
