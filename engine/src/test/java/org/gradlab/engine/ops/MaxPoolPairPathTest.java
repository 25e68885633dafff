package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The float32 2x2/stride-2 max-pool fast path against the general float64 loops (golden-tested)
 * on data full of ties and with NaNs: same outputs, and the gradient goes to the same element
 * (the FIRST maximum in row-major order; a NaN is the maximum and, as in PyTorch, the last NaN wins).
 */
class MaxPoolPairPathTest {
    @ParameterizedTest(name = "h x w = {0}")
    @ValueSource(strings = {"8x8", "7x9", "2x2", "5x4"})
    void pairPathMatchesGeneralPath(String hw) {
        int h = Integer.parseInt(hw.split("x")[0]);
        int w = Integer.parseInt(hw.split("x")[1]);
        int n = 2 * 3 * h * w;
        Random r = new Random(h * 31 + w);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(3); // many ties
            if (r.nextInt(17) == 0) {
                v[i] = Double.NaN;
            }
        }
        Tensor x64 = Tensor.of(v, 2, 3, h, w).requiresGrad(true);
        Tensor x32 = x64.detach().to(DType.F32).requiresGrad(true);
        Tensor o64 = MaxPool2d.apply(x64, 2, 2, 0);
        Tensor o32 = MaxPool2d.apply(x32, 2, 2, 0);
        assertArrayEquals(o64.toDoubleArray(), o32.toDoubleArray(), "forward");
        double[] g = new double[(int) o64.numel()];
        for (int i = 0; i < g.length; i++) {
            g[i] = i + 1; // distinct, so a misrouted gradient shows
        }
        o64.backward(Tensor.of(g, o64.shape()));
        o32.backward(Tensor.of(g, o64.shape()).to(DType.F32));
        assertArrayEquals(x64.grad().toDoubleArray(), x32.grad().toDoubleArray(), "gradient routing");
    }
}
