package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;

import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.UnaryFn;
import org.gradlab.engine.backend.NormKernels.BatchNormGrads;
import org.gradlab.engine.backend.NormKernels.BatchNormResult;
import org.gradlab.engine.backend.NormKernels.PooledResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float32 batch-norm passes ({@link ChannelLoops32}: eight- and four-way unrolled sums with
 * their tails, vectorised affine passes) against the float64 reference ({@link NormReference},
 * gradchecked and golden-tested): training and eval, with and without affine parameters, on
 * planes whose size is not a multiple of the unrolling (S = 1, 3, 7, 13, 35) and a strided input.
 * Output, saved statistics, running statistics and all three gradients. The same for batch norm
 * followed by SiLU or ReLU in one call (the float32 kernel fused; float64 the default: the two
 * kernels in turn), also against float32's two separate kernels (for ReLU: bit for bit).
 */
class NormF32PathTest {
    private static final NormKernels NORM = CpuBackend.INSTANCE.norm();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {4, 3, 1, 1}, true, true),
                Arguments.of(new int[] {5, 2, 1, 3}, true, false),
                Arguments.of(new int[] {3, 4, 7, 1}, false, true),
                Arguments.of(new int[] {2, 5, 13}, true, true),
                Arguments.of(new int[] {3, 6, 5, 7}, false, false),
                Arguments.of(new int[] {7, 3}, true, true),
                Arguments.of(new int[] {2, 3, 8, 8}, true, true),
                Arguments.of(new int[] {2, 3, 7, 9}, false, true), // 63 positions: the eight-way loops' tails
                // small planes (S < ChannelLoops32.SMALL_PLANE) wider than one SmallPlanes32 block: channel 20 spans two
                Arguments.of(new int[] {3, 40, 5, 5}, true, false),
                Arguments.of(new int[] {4, 300, 2, 2}, false, true),
                // batch norm + SiLU's blocks of whole planes (NormSilu32): 200 planes of 16 in two blocks; 2500 > a block
                Arguments.of(new int[] {3, 200, 4, 4}, true, false),
                Arguments.of(new int[] {2, 2, 50, 50}, true, true));
    }

    @ParameterizedTest(name = "x {0} affine {1} strided {2}")
    @MethodSource("cases")
    void float32PassesMatchTheReference(int[] shape, boolean affine, boolean strided) {
        Generator gen = new Generator(shape.length * 13 + shape[0]);
        int c = shape[1];
        Tensor x32 = exactInF32(gen, shape).to(DType.F32).mul(3.0).add(0.5); // a mean away from 0
        Tensor x64 = x32.to(DType.F64);
        if (strided && shape.length == 4) { // the same values, read through a transposed view
            x64 = x64.transpose(2, 3).contiguous().transpose(2, 3);
            x32 = x32.transpose(2, 3).contiguous().transpose(2, 3);
        }
        Tensor w64 = affine ? exactInF32(gen, c) : null;
        Tensor b64 = affine ? exactInF32(gen, c) : null;
        Tensor w32 = affine ? w64.to(DType.F32) : null;
        Tensor b32 = affine ? b64.to(DType.F32) : null;
        Tensor g64 = exactInF32(gen, shape);
        Tensor g32 = g64.to(DType.F32);
        for (boolean training : new boolean[] {true, false}) {
            String mode = training ? "training" : "eval";
            Tensor rm64 = exactInF32(gen, c);
            Tensor rv64 = exactInF32(gen, c).abs().add(0.5);
            Tensor rm32 = rm64.to(DType.F32);
            Tensor rv32 = rv64.to(DType.F32);
            BatchNormResult r64 = NORM.batchNormForward(x64, w64, b64, rm64, rv64, training, 0.1, 1e-5);
            BatchNormResult r32 = NORM.batchNormForward(x32, w32, b32, rm32, rv32, training, 0.1, 1e-5);
            assertClose(r32.out(), r64.out(), 1e-5, mode + " out");
            assertClose(r32.saveMean(), r64.saveMean(), 1e-5, mode + " mean");
            assertClose(r32.saveInvstd(), r64.saveInvstd(), 1e-5, mode + " invstd");
            assertClose(rm32, rm64, 1e-5, mode + " running mean");
            assertClose(rv32, rv64, 1e-5, mode + " running var");
            BatchNormGrads d64 = NORM.batchNormBackward(g64, x64, w64, r64.saveMean(), r64.saveInvstd(), training,
                    true, true, true);
            BatchNormGrads d32 = NORM.batchNormBackward(g32, x32, w32, r32.saveMean(), r32.saveInvstd(), training,
                    true, true, true);
            assertClose(d32.gradX(), d64.gradX(), 1e-4, mode + " grad_x");
            assertClose(d32.gradWeight(), d64.gradWeight(), 1e-5, mode + " grad_weight");
            assertClose(d32.gradBias(), d64.gradBias(), 1e-5, mode + " grad_bias");
        }
    }

    @ParameterizedTest(name = "x {0} affine {1} strided {2}")
    @MethodSource("cases")
    void fusedActivationPassesMatchTheReferenceAndTheTwoKernels(int[] shape, boolean affine, boolean strided) {
        Generator gen = new Generator(shape.length * 17 + shape[0]);
        int c = shape[1];
        Tensor x32 = exactInF32(gen, shape).to(DType.F32).mul(3.0).add(0.5);
        Tensor x64 = x32.to(DType.F64);
        if (strided && shape.length == 4) {
            x64 = x64.transpose(2, 3).contiguous().transpose(2, 3);
            x32 = x32.transpose(2, 3).contiguous().transpose(2, 3);
        }
        Tensor w64 = affine ? exactInF32(gen, c).mul(2.0) : null;
        Tensor b64 = affine ? exactInF32(gen, c) : null;
        Tensor w32 = affine ? w64.to(DType.F32) : null;
        Tensor b32 = affine ? b64.to(DType.F32) : null;
        Tensor g64 = exactInF32(gen, shape);
        Tensor g32 = g64.to(DType.F32);
        for (boolean relu : new boolean[] {false, true}) {
            for (boolean training : new boolean[] {true, false}) {
                String mode = (training ? "training" : "eval") + (relu ? " relu" : " silu");
                Tensor rm64 = exactInF32(gen, c);
                Tensor rv64 = exactInF32(gen, c).abs().add(0.5);
                Tensor rm32 = rm64.to(DType.F32);
                Tensor rv32 = rv64.to(DType.F32);
                Tensor rmTwo = rm64.to(DType.F32);
                Tensor rvTwo = rv64.to(DType.F32);
                BatchNormResult r64 = fusedForward(relu, x64, w64, b64, rm64, rv64, training);
                BatchNormResult r32 = fusedForward(relu, x32, w32, b32, rm32, rv32, training);
                BatchNormResult bn = NORM.batchNormForward(x32, w32, b32, rmTwo, rvTwo, training, 0.1, 1e-5);
                Tensor two = CpuBackend.INSTANCE.elementwise().unary(relu ? UnaryFn.RELU : UnaryFn.SILU, bn.out(), 0, 0);
                assertClose(r32.out(), r64.out(), 1e-5, mode + " out");
                assertClose(r32.out(), two.to(DType.F64), 1e-6, mode + " out against the two float32 kernels");
                assertClose(r32.saveMean(), r64.saveMean(), 1e-5, mode + " mean");
                assertClose(r32.saveInvstd(), r64.saveInvstd(), 1e-5, mode + " invstd");
                assertClose(rm32, rm64, 1e-5, mode + " running mean");
                assertClose(rv32, rv64, 1e-5, mode + " running var");
                if (!relu && shape.length == 4) { // squeeze-excitation's pool summed from the output (2x2 planes too)
                    PooledResult p32 = NORM.batchNormSiluPooledForward(x32, w32, b32, rm64.to(DType.F32), rv64.to(DType.F32),
                            training, 0.1, 1e-5);
                    PooledResult p64 = NORM.batchNormSiluPooledForward(x64, w64, b64, rm64.to(DType.F64), rv64.to(DType.F64),
                            training, 0.1, 1e-5);
                    assertSameBits(r32.out(), p32.result().out(), mode + " out beside the plane means");
                    assertSameBits(CpuBackend.INSTANCE.pool().adaptiveAvgPool2dForward(r32.out(), 1, 1), p32.planeMeans(),
                            mode + " plane means against the pool of the output");
                    assertClose(p32.planeMeans(), p64.planeMeans(), 1e-5, mode + " plane means");
                }
                BatchNormGrads d64 = fusedBackward(relu, g64, r64, x64, w64, b64, training, true);
                BatchNormGrads d32 = fusedBackward(relu, g32, r32, x32, w32, b32, training, true);
                Tensor gy = CpuBackend.INSTANCE.elementwise().binary(relu ? BinaryFn.RELU_BACKWARD : BinaryFn.SILU_BACKWARD,
                        g32, bn.out());
                BatchNormGrads dTwo = NORM.batchNormBackward(gy, x32, w32, bn.saveMean(), bn.saveInvstd(), training, true,
                        true, true);
                assertClose(d32.gradX(), d64.gradX(), 1e-4, mode + " grad_x");
                assertClose(d32.gradWeight(), d64.gradWeight(), 1e-5, mode + " grad_weight");
                assertClose(d32.gradBias(), d64.gradBias(), 1e-5, mode + " grad_bias");
                if (!relu) { // without the forward's output: sigmoid(y) from the exponential
                    BatchNormGrads dExp = NORM.batchNormSiluBackward(g32, x32, w32, b32, null, r32.saveMean(),
                            r32.saveInvstd(), training, true, true, true);
                    assertClose(dExp.gradX(), d64.gradX(), 1e-4, mode + " grad_x without the output");
                    assertClose(dExp.gradWeight(), d64.gradWeight(), 1e-5, mode + " grad_weight without the output");
                }
                assertClose(d32.gradX(), dTwo.gradX().to(DType.F64), 1e-4, mode + " grad_x against the two float32 kernels");
                assertClose(d32.gradWeight(), dTwo.gradWeight().to(DType.F64), 1e-5,
                        mode + " grad_weight against the two float32 kernels");
                if (relu) { // the statistics and y are batch norm's own, so ReLU's fusion keeps every bit
                    assertSameBits(two, r32.out(), mode + " out");
                    assertSameBits(dTwo.gradX(), d32.gradX(), mode + " grad_x");
                    assertSameBits(dTwo.gradWeight(), d32.gradWeight(), mode + " grad_weight");
                    assertSameBits(dTwo.gradBias(), d32.gradBias(), mode + " grad_bias");
                }
                // only weight wanted: no dL/dx built
                BatchNormGrads onlyW = fusedBackward(relu, g32, r32, x32, w32, b32, training, false);
                assertClose(onlyW.gradWeight(), d32.gradWeight().to(DType.F64), 0, mode + " grad_weight alone");
                org.junit.jupiter.api.Assertions.assertNull(onlyW.gradX(), mode + " grad_x not asked for");
            }
        }
    }

    private static BatchNormResult fusedForward(boolean relu, Tensor x, Tensor w, Tensor b, Tensor rm, Tensor rv,
                                                boolean training) {
        return relu ? NORM.batchNormReluForward(x, w, b, rm, rv, training, 0.1, 1e-5)
                : NORM.batchNormSiluForward(x, w, b, rm, rv, training, 0.1, 1e-5);
    }

    /** All three gradients when {@code needX}, else only the weight's. */
    private static BatchNormGrads fusedBackward(boolean relu, Tensor g, BatchNormResult r, Tensor x, Tensor w, Tensor b,
                                                boolean training, boolean needX) {
        return relu ? NORM.batchNormReluBackward(g, r.out(), x, w, r.saveMean(), r.saveInvstd(), training, needX, true, needX)
                : NORM.batchNormSiluBackward(g, x, w, b, r.out(), r.saveMean(), r.saveInvstd(), training, needX, true,
                        needX);
    }

    private static void assertSameBits(Tensor expected, Tensor actual, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(),
                what + ": the same bits as batch norm then ReLU");
    }

    /**
     * Batch norm + SiLU's one-pass statistics ({@link ChannelLoops32#meanAndVariance} on a staged
     * piece, {@link NormSilu32#meanAndVariance} in blocks of planes from the tensor, channels 1 and 2
     * of 3) against the mean and variance in double, on data where a shifted sum could cancel: an
     * offset of 1000 standard deviations, and sample 0's planes far from the others (the shift is
     * their mean); planes of 49 (odd, no full block of eight left over), 64 and 1024 positions, 16
     * and 4 (the small-plane passes); 5 and 33 samples (NormSilu32 sums across them in float).
     */
    @ParameterizedTest(name = "blocks of planes {0}, {1} samples")
    @org.junit.jupiter.params.provider.CsvSource({"false, 5", "true, 5", "true, 33"})
    void oneScanStatisticsMatchTheDoubleMeanAndVariance(boolean blocks, int n) {
        java.util.Random r = new java.util.Random(11);
        for (int s : new int[] {4, 16, 49, 64, 256, 1024}) {
            for (String data : new String[] {"centred", "offset 1000", "sample 0 offset"}) {
                int c = 3;
                float[] x = new float[n * c * s];
                for (int i = 0; i < x.length; i++) {
                    double offset = data.equals("offset 1000") ? 1000 : data.equals("sample 0 offset") && i < c * s ? 40 : 0;
                    x[i] = (float) (offset + r.nextGaussian());
                }
                double[] mean = new double[c];
                double[] var = new double[c];
                if (blocks) {
                    NormSilu32.meanAndVariance(java.nio.FloatBuffer.wrap(x), 0, n, c, s, 1, c, mean, var);
                } else {
                    ChannelLoops32.meanAndVariance(x, n, c, s, mean, var);
                }
                for (int ch = blocks ? 1 : 0; ch < c; ch++) {
                    double sum = 0;
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < s; k++) {
                            sum += x[(i * c + ch) * s + k];
                        }
                    }
                    double m = sum / (n * s);
                    double sq = 0;
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < s; k++) {
                            double d = x[(i * c + ch) * s + k] - m;
                            sq += d * d;
                        }
                    }
                    double v = sq / (n * s);
                    String what = data + ", plane " + s + ", channel " + ch;
                    org.junit.jupiter.api.Assertions.assertEquals(m, mean[ch], 1e-7 * Math.abs(m) + 1e-6 * Math.sqrt(v), what + ": mean");
                    org.junit.jupiter.api.Assertions.assertEquals(v, var[ch], 2e-6 * v, what + ": variance");
                }
            }
        }
    }

    /** SmallPlanes32's element-wise passes compute ChannelLoops32's per-block expressions: the same bits. */
    @Test
    void smallPlaneAffinePassesGiveThePerElementBits() {
        int n = 3;
        int c = 70;
        int s = 9; // c * s = 630: two blocks, channel 56 split between them
        java.util.Random r = new java.util.Random(3);
        float[] x = new float[n * c * s];
        float[] g = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            g[i] = (float) r.nextGaussian();
        }
        float[] a = new float[c];
        float[] b = new float[c];
        float[] d = new float[c];
        for (int ch = 0; ch < c; ch++) {
            a[ch] = (float) r.nextGaussian();
            b[ch] = (float) r.nextGaussian();
            d[ch] = (float) r.nextGaussian();
        }
        float[] out = new float[x.length];
        float[] out2 = new float[x.length];
        SmallPlanes32.affine(x, out, n, c, s, a, b);
        SmallPlanes32.affine2(g, x, out2, n, c, s, a, b, d);
        for (int i = 0; i < x.length; i++) {
            int ch = i / s % c;
            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(x[i] * a[ch] + b[ch]),
                    Float.floatToRawIntBits(out[i]), "affine at " + i);
            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(g[i] * a[ch] + x[i] * b[ch] + d[ch]),
                    Float.floatToRawIntBits(out2[i]), "affine2 at " + i);
        }
    }
}
