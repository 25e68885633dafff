package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.PoolKernels;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float32 pooling paths against the float64 reference ({@link PoolReference}, golden-tested):
 * max pooling through {@link MaxPoolPair32} (2x2 stride 2, odd planes included) and
 * {@link MaxPool32} (any other window) on data full of ties and NaNs must give the same maxima
 * and route each gradient to the same element (the FIRST maximum in row-major order; a NaN is
 * the maximum and, as in PyTorch, the last NaN wins); indices, average and adaptive average
 * pooling agree within float32 rounding.
 */
class PoolF32PathTest {
    private static final PoolKernels POOL = CpuBackend.INSTANCE.pool();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(8, 8, new Pool2dParams(2, 2, 0), true),
                Arguments.of(7, 9, new Pool2dParams(2, 2, 0), true), // a row and a column left over
                Arguments.of(2, 2, new Pool2dParams(2, 2, 0), true),
                Arguments.of(5, 4, new Pool2dParams(2, 2, 0), true),
                Arguments.of(9, 7, new Pool2dParams(3, 2, 1), false),
                Arguments.of(6, 5, new Pool2dParams(3, 1, 0), false),
                Arguments.of(7, 7, new Pool2dParams(2, 1, 0), false), // overlapping 2x2 windows
                Arguments.of(5, 8, new Pool2dParams(2, 3, 1, 2, 1, 0), false),
                Arguments.of(3, 5, new Pool2dParams(1, 1, 0), false));
    }

    /** (2, 3, h, w) values in {-1, 0, 1} (many ties), about one in 17 a NaN. */
    private static Tensor tiesAndNaNs(int h, int w) {
        Random r = new Random(h * 31 + w);
        double[] v = new double[2 * 3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextInt(17) == 0 ? Double.NaN : r.nextInt(3) - 1;
        }
        return Tensor.of(v, 2, 3, h, w);
    }

    @ParameterizedTest(name = "{0}x{1} {2} pair {3}")
    @MethodSource("cases")
    void maxPoolSelectsAndRoutesLikeTheReference(int h, int w, Pool2dParams p, boolean pair) {
        assertEquals(pair, CpuPool.isPair(p, h, w, p.outH(h), p.outW(w)), "which float32 path the case takes");
        Tensor x64 = tiesAndNaNs(h, w);
        Tensor x32 = x64.to(DType.F32);
        Tensor o64 = POOL.maxPool2dForward(x64, p);
        Tensor o32 = POOL.maxPool2dForward(x32, p);
        assertArrayEquals(o64.toDoubleArray(), o32.toDoubleArray(), 0.0, "forward");
        assertArrayEquals(POOL.maxPool2dIndices(x64, p).toDoubleArray(), POOL.maxPool2dIndices(x32, p).toDoubleArray(),
                "indices");
        double[] g = new double[(int) o64.numel()];
        for (int i = 0; i < g.length; i++) {
            g[i] = i + 1; // distinct, so a misrouted gradient shows
        }
        Tensor g64 = Tensor.of(g, o64.shape());
        assertArrayEquals(POOL.maxPool2dBackward(g64, x64, o64, p).toDoubleArray(),
                POOL.maxPool2dBackward(g64.to(DType.F32), x32, o32, p).toDoubleArray(), 0.0, "gradient routing");
    }

    @ParameterizedTest(name = "{0}x{1} {2}")
    @MethodSource("cases")
    void averagePoolingMatchesTheReference(int h, int w, Pool2dParams p, boolean pair) {
        Generator gen = new Generator(h * 7 + w);
        Tensor x64 = exactInF32(gen, 2, 3, h, w);
        Tensor x32 = x64.to(DType.F32);
        Tensor g64 = exactInF32(gen, 2, 3, p.outH(h), p.outW(w));
        int[] xs = x64.shape();
        for (boolean inc : new boolean[] {true, false}) {
            assertClose(POOL.avgPool2dForward(x32, p, inc), POOL.avgPool2dForward(x64, p, inc), 1e-6, "avg forward");
            assertClose(POOL.avgPool2dBackward(g64.to(DType.F32), xs, p, inc), POOL.avgPool2dBackward(g64, xs, p, inc),
                    1e-6, "avg backward");
        }
        int oh = Math.max(1, h / 2);
        int ow = Math.max(1, (w + 1) / 3);
        Tensor ga = exactInF32(gen, 2, 3, oh, ow);
        assertClose(POOL.adaptiveAvgPool2dForward(x32, oh, ow), POOL.adaptiveAvgPool2dForward(x64, oh, ow), 1e-6,
                "adaptive forward");
        assertClose(POOL.adaptiveAvgPool2dBackward(ga.to(DType.F32), xs), POOL.adaptiveAvgPool2dBackward(ga, xs), 1e-6,
                "adaptive backward");
    }

    /**
     * Adaptive average pooling's float32 path ({@link AdaptivePool32}) on the shapes it special-cases
     * and stages: global pooling (one bin of whole rows, one fill back), planes in several staged
     * blocks (36 planes of 30x30), more bins than rows and columns (bins overlap and repeat), 1x1 planes.
     */
    @org.junit.jupiter.api.Test
    void adaptivePoolingMatchesTheReferenceGlobalBlockedAndUpsampled() {
        Generator gen = new Generator(41);
        int[][] cases = {{4, 9, 30, 30, 1, 1}, {2, 5, 7, 6, 1, 1}, {4, 9, 30, 30, 4, 7}, {2, 3, 3, 5, 5, 7}, {3, 4, 1, 1, 1, 1},
            {8, 1200, 2, 2, 1, 1}}; // the last: global pooling of small planes over several staged blocks
        for (int[] c : cases) {
            int[] xs = {c[0], c[1], c[2], c[3]};
            Tensor x64 = exactInF32(gen, xs);
            Tensor g64 = exactInF32(gen, c[0], c[1], c[4], c[5]);
            String what = java.util.Arrays.toString(xs) + " to " + c[4] + "x" + c[5];
            assertClose(POOL.adaptiveAvgPool2dForward(x64.to(DType.F32), c[4], c[5]), POOL.adaptiveAvgPool2dForward(x64, c[4], c[5]),
                    1e-6, "adaptive forward " + what);
            assertClose(POOL.adaptiveAvgPool2dBackward(g64.to(DType.F32), xs), POOL.adaptiveAvgPool2dBackward(g64, xs), 1e-6,
                    "adaptive backward " + what);
        }
    }
}
