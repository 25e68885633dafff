package org.gradlab.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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

    @Test
    void evalIsTheHeadAlone() {
        Linear fc = (Linear) new Linear(6, 3, new Generator(1)).to(DType.F64);
        MultiSampleDropout m = new MultiSampleDropout(0.5, 5, fc, new Generator(2));
        m.eval();
        assertArrayEquals(fc.forward(input()).toDoubleArray(), m.forward(input()).toDoubleArray(), 0);
        assertArrayEquals(new int[] {4, 3}, m.forward(input()).shape());
    }

    @Test
    void trainingStacksOneBlockPerMaskAndTheTiledLossIsTheMeanOfThePerMaskLosses() {
        Linear fc = (Linear) new Linear(6, 3, new Generator(1)).to(DType.F64);
        MultiSampleDropout m = new MultiSampleDropout(0.5, 3, fc, new Generator(2));
        m.train();
        Tensor out = m.forward(input());
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
        Linear fc = (Linear) new Linear(6, 3, new Generator(1)).to(DType.F64);
        MultiSampleDropout m = new MultiSampleDropout(0.5, 2, fc, new Generator(2));
        m.train();
        double[] v = m.forward(input()).toDoubleArray();
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
        assertEquals(Arrays.asList("dropout0", "dropout1", "head"), m.children().keySet().stream().toList());
    }
}
