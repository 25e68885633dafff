package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.cpu.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Squeeze-excitation as one op against the ops it replaces (global pool, 1x1 conv, SiLU, 1x1
 * conv, channel gate; autograd summing x's two gradients) in float64, forward and all five
 * gradients; its float32 path against its float64 one at EfficientNet-like plane sizes (2x2 to
 * 16x16, odd ones, a strided input); and its shape errors.
 */
class SqueezeExcitationTest {

    private static double maxRelDiff(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        assertEquals(y.length, x.length);
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
            ref = Math.max(ref, Math.abs(y[i]));
        }
        return diff / Math.max(ref, 1e-30);
    }

    /** x, w1, b1, w2, b2 as float64 leaves. */
    private static Tensor[] inputs(Generator g, int n, int c, int s, int h, int w) {
        return new Tensor[] {
            Tensor.uniform(g, -2, 3, DType.F64, Device.CPU, n, c, h, w),
            Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, s, c, 1, 1),
            Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, s),
            Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, c, s, 1, 1),
            Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, c)};
    }

    /** Fresh leaves (own storage, own gradients) holding t's values in {@code dtype}. */
    private static Tensor[] asLeaves(Tensor[] t, DType dtype) {
        Tensor[] r = new Tensor[t.length];
        for (int i = 0; i < t.length; i++) {
            r[i] = Tensor.of(t[i].toDoubleArray(), t[i].shape()).to(dtype).requiresGrad(true);
        }
        return r;
    }

    @Test
    void matchesTheOpsItReplacesInFloat64() {
        Generator g = new Generator(11);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor[] base = inputs(g, 3, 6, 2, 5, 3);
            Tensor up = Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, 3, 6, 5, 3);
            Tensor[] one = asLeaves(base, DType.F64);
            Tensor[] parts = asLeaves(base, DType.F64);
            Tensor fused = SqueezeExcitation.apply(one[0], one[1], one[2], one[3], one[4]);
            Tensor pooled = AdaptiveAvgPool2d.apply(parts[0], 1, 1);
            Tensor hidden = Silu.apply(Conv2d.apply(pooled, parts[1], parts[2], 1, 0, 1));
            Tensor composed = ChannelGate.apply(parts[0], Conv2d.apply(hidden, parts[3], parts[4], 1, 0, 1));
            fused.backward(up);
            composed.backward(up);
            assertTrue(maxRelDiff(fused, composed) < 1e-13, "out");
            String[] names = {"x", "fc1 weight", "fc1 bias", "fc2 weight", "fc2 bias"};
            for (int i = 0; i < names.length; i++) {
                assertEquals(base[i].dim(), one[i].grad().dim(), names[i]);
                assertTrue(maxRelDiff(one[i].grad(), parts[i].grad()) < 1e-12, "grad of " + names[i]);
            }
        }
    }

    private static void float32MatchesFloat64(int n, int c, int s, int h, int w, boolean strided) {
        Generator g = new Generator(c * 7 + h);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor[] base = inputs(g, n, c, s, h, w);
            Tensor up = Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, n, c, h, w);
            Tensor[][] leaves = {asLeaves(base, DType.F64), asLeaves(base, DType.F32)};
            Tensor[] out = new Tensor[2];
            for (int k = 0; k < 2; k++) {
                Tensor[] t = leaves[k];
                Tensor x = strided ? t[0].transpose(2, 3).contiguous().transpose(2, 3) : t[0];
                out[k] = SqueezeExcitation.apply(x, t[1], t[2], t[3], t[4]);
                out[k].backward(k == 0 ? up : up.to(DType.F32));
            }
            String what = n + "x" + c + "x" + h + "x" + w + " squeeze " + s + (strided ? " strided" : "");
            assertTrue(maxRelDiff(out[1], out[0]) < 2e-6, "out " + what);
            for (int i = 0; i < 5; i++) {
                assertTrue(leaves[1][i].grad() != null && leaves[0][i].grad() != null, "grads " + i + " " + what);
                assertTrue(maxRelDiff(leaves[1][i].grad(), leaves[0][i].grad()) < 2e-5, "grad " + i + " " + what);
            }
        }
    }

    @Test
    void float32MatchesFloat64() {
        float32MatchesFloat64(4, 40, 10, 16, 16, false);
        float32MatchesFloat64(8, 96, 4, 4, 4, false);
        float32MatchesFloat64(5, 48, 12, 2, 2, false);
        float32MatchesFloat64(3, 7, 3, 5, 9, true);
    }

    /**
     * A batch of 32 on 2x2 planes (EfficientNet-B0's last stages' plane size; 96 channels, squeeze 24,
     * so that weights in [-1, 1] keep float32's logits within the tolerances) with 1, 2 and 3 threads:
     * the backward's GEMMs (dp / (H·W) taken as the GEMM's alpha) split by rows.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void float32MatchesFloat64OnSmallPlanesAtEveryThreadCount(int threads) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            float32MatchesFloat64(32, 96, 24, 2, 2, false);
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /**
     * The plane means that batch norm + SiLU returns beside its output give the op what it pools
     * itself, in both dtypes: the same output and the same gradients, down to batch norm's input.
     */
    @Test
    void planeMeansFromBatchNormSiluGiveTheSameResult() {
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            Generator g = new Generator(5);
            try (MemoryScope scope = MemoryScope.open()) {
                int n = 4;
                int c = 24;
                Tensor[] base = inputs(g, n, c, 6, 4, 4);
                Tensor[] norm = {Tensor.uniform(g, 0.5, 1.5, DType.F64, Device.CPU, c), Tensor.uniform(g, -1, 1, DType.F64, Device.CPU, c)};
                Tensor up = Tensor.uniform(g, -1, 1, dtype, Device.CPU, n, c, 4, 4);
                Tensor[][] se = {asLeaves(base, dtype), asLeaves(base, dtype)};
                Tensor[][] bn = {asLeaves(norm, dtype), asLeaves(norm, dtype)};
                BatchNormSilu.Pooled pooled = BatchNormSilu.applyPooled(se[0][0], bn[0][0], bn[0][1], null, null, true, 0.1, 1e-5);
                Tensor y = BatchNormSilu.apply(se[1][0], bn[1][0], bn[1][1], null, null, true, 0.1, 1e-5);
                assertEquals(0.0, maxRelDiff(pooled.out(), y), dtype + " batch norm + SiLU");
                Tensor given = SqueezeExcitation.apply(pooled.out(), pooled.planeMeans(), se[0][1], se[0][2], se[0][3], se[0][4]);
                Tensor own = SqueezeExcitation.apply(y, se[1][1], se[1][2], se[1][3], se[1][4]);
                given.backward(up);
                own.backward(up);
                assertEquals(0.0, maxRelDiff(given, own), dtype + " out");
                for (int i = 0; i < 5; i++) {
                    assertEquals(0.0, maxRelDiff(se[0][i].grad(), se[1][i].grad()), dtype + " grad " + i);
                }
                assertEquals(0.0, maxRelDiff(bn[0][0].grad(), bn[1][0].grad()), dtype + " grad of the norm's weight");
                assertEquals(0.0, maxRelDiff(bn[0][1].grad(), bn[1][1].grad()), dtype + " grad of the norm's bias");
            }
        }
    }

    @Test
    void badShapesSayWhatWasExpected() {
        Generator g = new Generator(2);
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor[] t = inputs(g, 2, 4, 2, 3, 3);
            Tensor wrongBias = Tensor.zeros(DType.F64, Device.CPU, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SqueezeExcitation.apply(t[0], t[1], wrongBias, t[3], t[4]));
            assertEquals("squeeze_excitation: expected fc1 bias of shape [2], got [3]", e.getMessage());
            Tensor flat = Tensor.zeros(DType.F64, Device.CPU, 2, 4);
            assertThrows(IllegalArgumentException.class, () -> SqueezeExcitation.apply(flat, t[1], t[2], t[3], t[4]));
            e = assertThrows(IllegalArgumentException.class, () -> SqueezeExcitation.apply(t[0], t[1], null, t[3], t[4]));
            assertEquals("squeeze_excitation: expected fc1 bias of shape [2], got none", e.getMessage());
            Tensor flatWeight = Tensor.zeros(DType.F64, Device.CPU, 2, 4);
            e = assertThrows(IllegalArgumentException.class, () -> SqueezeExcitation.apply(t[0], flatWeight, t[2], t[3], t[4]));
            assertEquals("squeeze_excitation: expected fc1 weight of shape (S, 4, 1, 1) for input [2,4,3,3], got [2,4]",
                    e.getMessage());
            Tensor wrongMeans = Tensor.zeros(DType.F64, Device.CPU, 2, 4);
            e = assertThrows(IllegalArgumentException.class,
                    () -> SqueezeExcitation.apply(t[0], wrongMeans, t[1], t[2], t[3], t[4]));
            assertEquals("squeeze_excitation: expected plane means of shape [2,4,1,1], got [2,4]", e.getMessage());
        }
    }
}
