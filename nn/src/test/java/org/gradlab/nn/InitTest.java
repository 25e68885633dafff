package org.gradlab.nn;

import static org.junit.jupiter.api.Assertions.*;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.init.Init;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.models.ResNet;
import org.junit.jupiter.api.Test;

/** Statistical checks of the initialisers against PyTorch's distributions. */
class InitTest {
    /** Uniform U(-b, b): all values inside, max near b, mean ~0 (se b/sqrt(3n)), std b/sqrt(3). */
    private static void assertUniform(double[] v, double b) {
        double sum = 0, sq = 0, max = 0;
        for (double d : v) {
            assertTrue(Math.abs(d) <= b, "value " + d + " outside bound " + b);
            sum += d;
            sq += d * d;
            max = Math.max(max, Math.abs(d));
        }
        int n = v.length;
        double mean = sum / n;
        double std = Math.sqrt(sq / n - mean * mean);
        double se = b / Math.sqrt(3.0 * n);
        assertEquals(0, mean, 5 * se, "mean");
        assertEquals(b / Math.sqrt(3), std, 0.03 * b, "std");
        assertTrue(max > b * (1 - 20.0 / n), "max |value| " + max + " should approach the bound " + b);
    }

    @Test
    void conv2dDefaultInitIsKaimingUniformA5() {
        Conv2d c = new Conv2d(16, 32, 3, 1, 1, 1, true, new Generator(11));
        double fanIn = 16 * 9;
        assertUniform(c.weight().toDoubleArray(), 1 / Math.sqrt(fanIn));
        double[] bias = c.bias().toDoubleArray();
        for (double d : bias) {
            assertTrue(Math.abs(d) <= 1 / Math.sqrt(fanIn));
        }
        // gain sqrt(2/(1+5)) * sqrt(3/fan_in) == 1/sqrt(fan_in)
        assertEquals(1 / Math.sqrt(fanIn), Init.leakyReluGain(Math.sqrt(5)) * Math.sqrt(3 / fanIn), 1e-15);
    }

    @Test
    void groupedConvFanInUsesChannelsPerGroup() {
        Conv2d c = new Conv2d(8, 8, 3, 1, 1, 8, true, new Generator(5));
        assertArrayEquals(new int[] {8, 1, 3, 3}, c.weight().shape());
        for (double d : c.weight().toDoubleArray()) {
            assertTrue(Math.abs(d) <= 1 / 3.0);
        }
    }

    @Test
    void linearDefaultInit() {
        Linear l = new Linear(400, 300, new Generator(2));
        assertUniform(l.weight().toDoubleArray(), 1 / Math.sqrt(400));
        assertUniform(l.bias().toDoubleArray(), 1 / Math.sqrt(400));
    }

    @Test
    void batchNormInitOnesZeros() {
        BatchNorm2d bn = new BatchNorm2d(6);
        for (double d : bn.weight().toDoubleArray()) assertEquals(1, d);
        for (double d : bn.bias().toDoubleArray()) assertEquals(0, d);
        for (double d : bn.runningMean().toDoubleArray()) assertEquals(0, d);
        for (double d : bn.runningVar().toDoubleArray()) assertEquals(1, d);
        assertEquals(0, bn.numBatchesTracked());
    }

    @Test
    void resnetConvsAreKaimingNormalFanOut() {
        ResNet r = ResNet.resnet18(7, new Generator(4));
        double[] w = r.stateDict().get("layer3.0.conv2.weight").toDoubleArray(); // 256x256x3x3, fan_out 2304
        double sum = 0, sq = 0, max = 0;
        for (double d : w) {
            sum += d;
            sq += d * d;
            max = Math.max(max, Math.abs(d));
        }
        double mean = sum / w.length;
        double std = Math.sqrt(sq / w.length - mean * mean);
        double want = Math.sqrt(2.0 / 2304);
        assertEquals(0, mean, 5 * want / Math.sqrt(w.length));
        assertEquals(want, std, 0.01 * want);
        assertTrue(max > 4 * want, "normal tails: max " + max / want + " sd");
        // fc keeps the default Linear init; BN weight 1
        for (double d : r.stateDict().get("fc.weight").toDoubleArray()) assertTrue(Math.abs(d) <= 1 / Math.sqrt(512));
        for (double d : r.stateDict().get("layer1.1.bn2.weight").toDoubleArray()) assertEquals(1, d);
    }

    @Test
    void seededInitIsReproducible() {
        double[] a = new Conv2d(3, 8, 3, 1, 1, 1, true, new Generator(9)).weight().toDoubleArray();
        double[] b = new Conv2d(3, 8, 3, 1, 1, 1, true, new Generator(9)).weight().toDoubleArray();
        assertArrayEquals(a, b);
        Tensor n = Init.kaimingNormalFanOut(new Generator(1), DType.F64, Device.CPU, 4, 2, 3, 3);
        assertEquals(DType.F64, n.dtype());
    }
}
