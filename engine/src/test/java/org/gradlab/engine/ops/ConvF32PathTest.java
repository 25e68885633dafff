package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float32 conv path (heap-staged, padded im2col/col2im) against the float64 path (gradchecked
 * and golden-tested) on geometries the golden set lacks: groups 2, asymmetric stride/padding,
 * non-square kernels, stride 3, 1x1 grouped, and batches that run several samples per GEMM. Same inputs, out and all gradients, rel. error <= 1e-5.
 */
class ConvF32PathTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {2, 4, 9, 7}, new int[] {6, 2, 3, 3}, new Conv2dParams(1, 1, 2)),
                Arguments.of(new int[] {2, 4, 9, 8}, new int[] {4, 2, 3, 3}, new Conv2dParams(2, 2, 1, 1, 2)),
                Arguments.of(new int[] {1, 3, 11, 10}, new int[] {5, 3, 2, 4}, new Conv2dParams(2, 1, 0, 2, 1)),
                Arguments.of(new int[] {2, 2, 13, 12}, new int[] {3, 2, 5, 5}, new Conv2dParams(3, 3, 2, 1, 1)),
                Arguments.of(new int[] {2, 6, 5, 5}, new int[] {6, 2, 1, 1}, new Conv2dParams(1, 0, 3)),
                Arguments.of(new int[] {3, 8, 6, 6}, new int[] {16, 8, 3, 3}, new Conv2dParams(1, 1, 1)),
                // narrow (Cout < 32): per sample, shifted-plane im2col
                Arguments.of(new int[] {70, 4, 4, 4}, new int[] {5, 4, 3, 3}, new Conv2dParams(1, 1, 1)),
                // many samples per GEMM (ConvBlocks32), with a partial last block: 70 = 50 + 20 at L = 16
                Arguments.of(new int[] {70, 4, 4, 4}, new int[] {32, 4, 3, 3}, new Conv2dParams(1, 1, 1)),
                Arguments.of(new int[] {40, 8, 8, 8}, new int[] {32, 8, 3, 3}, new Conv2dParams(2, 1, 1)),
                Arguments.of(new int[] {9, 6, 7, 7}, new int[] {4, 6, 3, 3}, new Conv2dParams(2, 1, 1)));
    }

    static double relErr(Tensor a, Tensor ref) {
        double[] x = a.toDoubleArray();
        double[] r = ref.toDoubleArray();
        double d = 0;
        double m = 0;
        for (int i = 0; i < r.length; i++) {
            d = Math.max(d, Math.abs(x[i] - r[i]));
            m = Math.max(m, Math.abs(r[i]));
        }
        return d / m;
    }

    @ParameterizedTest(name = "x {0} w {1} {2}")
    @MethodSource("cases")
    void float32MatchesFloat64(int[] xs, int[] wsh, Conv2dParams p) {
        Generator gen = new Generator(77);
        Tensor x64 = Tensor.uniform(gen, -1, 1, DType.F64, Device.CPU, xs).to(DType.F32).to(DType.F64);
        Tensor w64 = Tensor.uniform(gen, -1, 1, DType.F64, Device.CPU, wsh).to(DType.F32).to(DType.F64);
        Tensor b64 = Tensor.uniform(gen, -1, 1, DType.F64, Device.CPU, wsh[0]).to(DType.F32).to(DType.F64);
        Tensor[] t64 = {x64.requiresGrad(true), w64.requiresGrad(true), b64.requiresGrad(true)};
        Tensor[] t32 = {x64.detach().to(DType.F32).requiresGrad(true), w64.detach().to(DType.F32).requiresGrad(true),
            b64.detach().to(DType.F32).requiresGrad(true)};
        Tensor o64 = Conv2d.apply(t64[0], t64[1], t64[2], p);
        Tensor o32 = Conv2d.apply(t32[0], t32[1], t32[2], p);
        Tensor g = Tensor.uniform(gen, -1, 1, DType.F64, Device.CPU, o64.shape()).to(DType.F32);
        o64.backward(g.to(DType.F64));
        o32.backward(g);
        String[] names = {"grad_x", "grad_w", "grad_b"};
        assertTrue(relErr(o32, o64) < 1e-5, "out rel err " + relErr(o32, o64));
        for (int i = 0; i < 3; i++) {
            double e = relErr(t32[i].grad(), t64[i].grad());
            assertTrue(e < 1e-5, names[i] + " rel err " + e);
        }
    }
}
