package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.*;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.api.Test;

/** Drop path's per-sample semantics and the probability-target cross-entropy against the class-index one. */
class DropPathSoftTargetTest {

    @Test
    void dropPathKeepsOrDropsWholeSamplesScaledByTheSurvivalRate() {
        Tensor x = Tensor.uniform(new Generator(1), 1, 2, DType.F64, Device.CPU, 64, 3, 2).requiresGrad(true);
        double p = 0.25;
        Tensor y = DropPath.apply(x, p, true, new Generator(5));
        Generator replay = new Generator(5);
        double[] xs = x.toDoubleArray();
        double[] ys = y.toDoubleArray();
        int kept = 0;
        for (int n = 0; n < 64; n++) {
            boolean keep = replay.nextDouble() >= p;
            kept += keep ? 1 : 0;
            for (int k = 0; k < 6; k++) {
                assertEquals(keep ? xs[n * 6 + k] / (1 - p) : 0, ys[n * 6 + k], 1e-15, "sample " + n);
            }
        }
        assertTrue(kept > 32 && kept < 64, "kept " + kept + " of 64 at p=0.25");
        y.backward(Tensor.ones(DType.F64, Device.CPU, 64, 3, 2));
        double[] gx = x.grad().toDoubleArray();
        for (int i = 0; i < gx.length; i++) {
            assertEquals(ys[i] == 0 ? 0 : 1 / (1 - p), gx[i], 1e-15);
        }
        assertSame(x, DropPath.apply(x, p, false, new Generator(5)), "eval mode is the identity");
        assertArrayEquals(new double[x.toDoubleArray().length], DropPath.apply(x, 1, true, new Generator(5)).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> DropPath.apply(x, 1.5, true, new Generator(5)));
    }

    @Test
    void oneHotTargetsGiveTheClassIndexCrossEntropyWithAndWithoutSmoothing() {
        int[] y = {2, 0, 4, 4, 1};
        double[] oneHot = new double[5 * 5];
        for (int i = 0; i < y.length; i++) {
            oneHot[i * 5 + y[i]] = 1;
        }
        for (DType dt : DType.values()) {
            for (double ls : new double[] {0, 0.2}) {
                for (Reduction r : Reduction.values()) {
                    Tensor a = Tensor.uniform(new Generator(3), -3, 3, dt, Device.CPU, 5, 5).requiresGrad(true);
                    Tensor b = a.detach().contiguous().requiresGrad(true);
                    Tensor soft = SoftTargetCrossEntropy.apply(a, Tensor.of(dt, Device.CPU, oneHot, 5, 5), ls, r);
                    Tensor hard = CrossEntropy.apply(b, y, null, ls, r);
                    double tol = dt == DType.F64 ? 1e-12 : 1e-5;
                    assertArrayEquals(hard.toDoubleArray(), soft.toDoubleArray(), tol, dt + " ls " + ls + " " + r);
                    Tensor up = Tensor.uniform(new Generator(4), 0.5, 1.5, dt, Device.CPU, hard.shape());
                    soft.backward(up);
                    hard.backward(up);
                    assertArrayEquals(b.grad().toDoubleArray(), a.grad().toDoubleArray(), tol, dt + " grad ls " + ls + " " + r);
                }
            }
        }
        Tensor logits = Tensor.zeros(DType.F64, Device.CPU, 2, 3);
        var e = assertThrows(IllegalArgumentException.class,
                () -> SoftTargetCrossEntropy.apply(logits, Tensor.zeros(DType.F64, Device.CPU, 2, 4), 0, Reduction.MEAN));
        assertTrue(e.getMessage().contains("[2,3]") && e.getMessage().contains("[2,4]"), e.getMessage());
    }
}
