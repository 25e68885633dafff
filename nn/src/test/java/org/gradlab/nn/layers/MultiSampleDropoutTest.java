package org.gradlab.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.CrossEntropy;
import org.junit.jupiter.api.Test;

class MultiSampleDropoutTest {
    static Tensor input() {
        double[] v = new double[4 * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.sin(i + 1.0);
        }
        return Tensor.of(DType.F64, Device.CPU, v, 4, 6);
    }

    static Sequential head(int samples) {
        Linear fc = (Linear) new Linear(6, 3, new Generator(1)).to(DType.F64);
        return new Sequential(new MultiSampleDropout(0.5, samples, new Generator(2)), fc);
    }

    @Test
    void evalIsTheIdentityAndHasNoParameters() {
        Sequential h = head(5);
        h.eval();
        Linear fc = (Linear) h.get(1);
        assertArrayEquals(fc.forward(input()).toDoubleArray(), h.forward(input()).toDoubleArray(), 0);
        assertArrayEquals(new int[] {4, 3}, h.forward(input()).shape());
        assertTrue(h.get(0).namedParameters().isEmpty());
        assertEquals(head(1).stateDict().keySet(), h.stateDict().keySet());
    }

    @Test
    void trainingStacksOneBlockPerMaskAndTheTiledLossIsTheMeanOfThePerMaskLosses() {
        Sequential h = head(3);
        h.train();
        Tensor out = h.forward(input());
        assertArrayEquals(new int[] {12, 3}, out.shape());
        double[] v = out.toDoubleArray();
        assertFalse(Arrays.equals(Arrays.copyOfRange(v, 0, 12), Arrays.copyOfRange(v, 12, 24)), "masks differ");
        int[] labels = {0, 2, 1, 2};
        double tiled = CrossEntropy.apply(out, MultiSampleDropout.tile(labels, 3), null, 0, Reduction.MEAN).item();
        double mean = 0;
        for (int k = 0; k < 3; k++) {
            double[] block = Arrays.copyOfRange(v, 12 * k, 12 * (k + 1));
            mean += CrossEntropy.apply(Tensor.of(DType.F64, Device.CPU, block, 4, 3), labels, null, 0, Reduction.MEAN).item() / 3;
        }
        assertEquals(mean, tiled, 1e-12);
        assertArrayEquals(new int[] {0, 2, 1, 2, 0, 2, 1, 2, 0, 2, 1, 2}, MultiSampleDropout.tile(labels, 3));
    }

    @Test
    void eachBlockIsTheHeadOnADroppedOutInput() {
        Sequential h = head(2);
        h.train();
        double[] v = h.forward(input()).toDoubleArray();
        Linear fc = (Linear) h.get(1);
        // the same masks again: generators forked the same way from the same seed
        Generator g = new Generator(2);
        Dropout d0 = new Dropout(0.5, g.fork());
        Dropout d1 = new Dropout(0.5, g.fork());
        d0.train();
        d1.train();
        double[] b0 = fc.forward(d0.forward(input())).toDoubleArray();
        double[] b1 = fc.forward(d1.forward(input())).toDoubleArray();
        assertArrayEquals(b0, Arrays.copyOfRange(v, 0, 12), 1e-12);
        assertArrayEquals(b1, Arrays.copyOfRange(v, 12, 24), 1e-12);
    }
}
