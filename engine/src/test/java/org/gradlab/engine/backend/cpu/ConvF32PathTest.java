package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.ConvKernels.ConvForward;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every float32 conv path ({@link CpuConv.Path32}) against the float64 reference
 * ({@link ConvReference}, itself gradchecked and golden-tested) on geometries the golden set
 * lacks: odd planes, groups, depthwise with multipliers, asymmetric stride and padding,
 * non-square kernels, 1x1 convs, batches split into several blocks of samples, a strided input.
 * Forward with and without bias, both backward passes (the filter gradient also from kept
 * columns) and the bias gradient; relative error at most 1e-5.
 */
class ConvF32PathTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {2, 4, 9, 7}, new int[] {6, 2, 3, 3}, new Conv2dParams(1, 1, 2), false),
                Arguments.of(new int[] {2, 4, 9, 8}, new int[] {4, 2, 3, 3}, new Conv2dParams(2, 2, 1, 1, 2), false),
                Arguments.of(new int[] {1, 3, 11, 10}, new int[] {5, 3, 2, 4}, new Conv2dParams(2, 1, 0, 2, 1), false),
                Arguments.of(new int[] {2, 2, 13, 12}, new int[] {3, 2, 5, 5}, new Conv2dParams(3, 3, 2, 1, 1), false),
                Arguments.of(new int[] {2, 6, 5, 5}, new int[] {6, 2, 1, 1}, new Conv2dParams(1, 0, 3), false),
                Arguments.of(new int[] {3, 8, 6, 6}, new int[] {16, 8, 3, 3}, new Conv2dParams(1, 1, 1), false),
                // narrow (Cout < 32): per sample, shifted-plane im2col
                Arguments.of(new int[] {70, 4, 4, 4}, new int[] {5, 4, 3, 3}, new Conv2dParams(1, 1, 1), false),
                // many samples per GEMM, with a partial last block: 70 = 50 + 20 at L = 16
                Arguments.of(new int[] {70, 4, 4, 4}, new int[] {32, 4, 3, 3}, new Conv2dParams(1, 1, 1), false),
                Arguments.of(new int[] {40, 8, 8, 8}, new int[] {32, 8, 3, 3}, new Conv2dParams(2, 1, 1), false),
                Arguments.of(new int[] {9, 6, 7, 7}, new int[] {4, 6, 3, 3}, new Conv2dParams(2, 1, 1), false),
                // 32 output channels but a large plane (L = 121): per sample
                Arguments.of(new int[] {3, 3, 11, 11}, new int[] {32, 3, 3, 3}, new Conv2dParams(1, 1, 1), false),
                // depthwise: multiplier 1, multiplier 2 with stride and padding 2, one input channel, odd kernel
                Arguments.of(new int[] {2, 6, 9, 7}, new int[] {6, 1, 3, 3}, new Conv2dParams(1, 1, 6), false),
                Arguments.of(new int[] {3, 4, 11, 10}, new int[] {8, 1, 5, 5}, new Conv2dParams(2, 2, 4), false),
                Arguments.of(new int[] {2, 1, 7, 9}, new int[] {5, 1, 3, 3}, new Conv2dParams(1, 1, 1), false),
                Arguments.of(new int[] {1, 3, 6, 5}, new int[] {3, 1, 2, 3}, new Conv2dParams(1, 2, 0, 1, 3), false),
                // depthwise channels last (more channels than output grid cells): EfficientNet's
                // late stages (5x5 on 2x2, 3x3 on 1x1), stride 2 with multiplier 2, odd channel counts
                Arguments.of(new int[] {2, 40, 2, 2}, new int[] {40, 1, 5, 5}, new Conv2dParams(1, 2, 40), false),
                Arguments.of(new int[] {3, 37, 1, 1}, new int[] {37, 1, 3, 3}, new Conv2dParams(1, 1, 37), false),
                Arguments.of(new int[] {2, 24, 5, 4}, new int[] {48, 1, 3, 3}, new Conv2dParams(2, 1, 24), false),
                // channels last, more samples than one filter-gradient flush holds (1024 / 16 = 64): two groups
                Arguments.of(new int[] {70, 40, 4, 4}, new int[] {40, 1, 3, 3}, new Conv2dParams(1, 1, 40), false),
                // channels last on larger planes, channel counts that are no whole vectors: 8x8 (64 positions)
                // 5x5 stride 2 -> 4x4; 16x16 (256 positions, EfficientNet's features.3.0) 5x5 stride 2 -> 8x8
                Arguments.of(new int[] {2, 37, 8, 8}, new int[] {37, 1, 5, 5}, new Conv2dParams(2, 2, 37), false),
                Arguments.of(new int[] {2, 90, 16, 16}, new int[] {90, 1, 5, 5}, new Conv2dParams(2, 2, 90), false),
                // depthwise plane by plane with stride 2, multiplier 2 and an odd plane
                Arguments.of(new int[] {2, 3, 17, 15}, new int[] {6, 1, 3, 3}, new Conv2dParams(2, 1, 3), false),
                // depthwise plane by plane at stride 2 (multiplier 1): odd and even planes, 3x3 and
                // 5x5 with padding 1 and 2, a stride of 1 down and 2 across, a strided input
                Arguments.of(new int[] {2, 5, 15, 13}, new int[] {5, 1, 3, 3}, new Conv2dParams(2, 1, 5), false),
                Arguments.of(new int[] {3, 4, 16, 17}, new int[] {4, 1, 3, 3}, new Conv2dParams(2, 2, 4), false),
                Arguments.of(new int[] {2, 6, 13, 11}, new int[] {6, 1, 5, 5}, new Conv2dParams(2, 2, 6), false),
                Arguments.of(new int[] {2, 3, 12, 15}, new int[] {3, 1, 5, 5}, new Conv2dParams(2, 1, 3), false),
                Arguments.of(new int[] {2, 3, 9, 14}, new int[] {3, 1, 3, 5}, new Conv2dParams(1, 2, 1, 2, 3), false),
                Arguments.of(new int[] {2, 4, 11, 10}, new int[] {4, 1, 3, 3}, new Conv2dParams(2, 1, 4), true),
                // plane by plane on rows of whole vectors (16 and 32 columns: the vector kernels write output and
                // dL/dx rows directly and copy rows a vector at a time): stride 1, several filters per channel
                // adding into dL/dx's rows, and stride 2 (through the phase planes and the grid)
                Arguments.of(new int[] {2, 3, 16, 16}, new int[] {3, 1, 3, 3}, new Conv2dParams(1, 1, 3), false),
                Arguments.of(new int[] {2, 2, 6, 32}, new int[] {4, 1, 5, 5}, new Conv2dParams(1, 2, 2), false),
                Arguments.of(new int[] {2, 3, 16, 16}, new int[] {3, 1, 3, 3}, new Conv2dParams(2, 1, 3), false),
                // a column stride of 2 with 4+ filters per input channel: the vector forward splits the padded plane
                // into column phases (EfficientNet's stem, one channel read by 32 filters; 1 down and 2 across, 3x5)
                Arguments.of(new int[] {3, 1, 16, 16}, new int[] {32, 1, 3, 3}, new Conv2dParams(2, 1, 1), false),
                Arguments.of(new int[] {2, 2, 9, 14}, new int[] {8, 1, 3, 5}, new Conv2dParams(1, 2, 1, 2, 2), false),
                // plane by plane, filter gradient in blocks of samples side by side (512 floats a row): 70 samples
                // of 15 padded columns as 24 + 24 + 22; one channel read by 8 filters at stride 2 (column phases)
                // as 36 + 35 samples
                Arguments.of(new int[] {70, 3, 13, 13}, new int[] {3, 1, 3, 3}, new Conv2dParams(1, 1, 3), false),
                Arguments.of(new int[] {71, 1, 22, 21}, new int[] {8, 1, 3, 3}, new Conv2dParams(2, 1, 1), false),
                // the same blocks for the other kernels (vector kernels: five taps a pass for 5 wide, one tap for the
                // rest): 5x5 as 24 + 24 + 22 samples; one channel read by 6 5x5 filters at stride 2 (column phases) as
                // 30 + 30 + 29; a 2x4 kernel with multiplier 2 as 23 + 22; stride 3 with multiplier 2 (three column phases)
                Arguments.of(new int[] {70, 2, 12, 12}, new int[] {2, 1, 5, 5}, new Conv2dParams(1, 2, 2), false),
                Arguments.of(new int[] {89, 1, 20, 20}, new int[] {6, 1, 5, 5}, new Conv2dParams(2, 2, 1), false),
                Arguments.of(new int[] {45, 2, 11, 10}, new int[] {4, 1, 2, 4}, new Conv2dParams(1, 1, 1, 2, 2), false),
                Arguments.of(new int[] {50, 2, 14, 14}, new int[] {4, 1, 3, 3}, new Conv2dParams(3, 1, 2), false),
                // rows of whole vectors (16 columns) in several blocks at stride 2: the row phases copied a vector at a time
                Arguments.of(new int[] {70, 2, 16, 16}, new int[] {2, 1, 3, 3}, new Conv2dParams(2, 1, 2), false),
                // one input channel, kernel = stride (ViT's patch embedding): im2col, not depthwise
                Arguments.of(new int[] {6, 1, 8, 12}, new int[] {40, 1, 4, 4}, new Conv2dParams(4, 0, 1), false),
                Arguments.of(new int[] {3, 1, 9, 9}, new int[] {8, 1, 3, 3}, new Conv2dParams(3, 0, 1), false),
                // 1x1: x is its own col matrix; strided 1x1 takes im2col
                Arguments.of(new int[] {3, 5, 4, 7}, new int[] {7, 5, 1, 1}, new Conv2dParams(1, 0, 1), false),
                Arguments.of(new int[] {2, 5, 7, 7}, new int[] {4, 5, 1, 1}, new Conv2dParams(2, 0, 1), false),
                // 1x1 on small planes with 256 Ki+ weights, several samples per GEMM (EfficientNet's 1152->320 on 2x2):
                // 2x2 planes (5 samples: 2 + 2 + 1 at three threads), 1x1 planes; a plane of 8 stays per sample
                Arguments.of(new int[] {5, 512, 2, 2}, new int[] {520, 512, 1, 1}, new Conv2dParams(1, 0, 1), false),
                Arguments.of(new int[] {7, 600, 1, 1}, new int[] {448, 600, 1, 1}, new Conv2dParams(1, 0, 1), false),
                Arguments.of(new int[] {3, 512, 2, 4}, new int[] {512, 512, 1, 1}, new Conv2dParams(1, 0, 1), false),
                // 3x3 stride 1, 64+ channels: Winograd F(2x2, 3x3), even planes with padding 1 and 0, an odd plane
                // with 128 input channels, a strided input
                Arguments.of(new int[] {3, 64, 6, 8}, new int[] {64, 64, 3, 3}, new Conv2dParams(1, 1, 1), false),
                Arguments.of(new int[] {2, 64, 8, 6}, new int[] {72, 64, 3, 3}, new Conv2dParams(1, 0, 1), false),
                Arguments.of(new int[] {2, 128, 5, 5}, new int[] {64, 128, 3, 3}, new Conv2dParams(1, 1, 1), false),
                Arguments.of(new int[] {2, 64, 4, 6}, new int[] {64, 64, 3, 3}, new Conv2dParams(1, 1, 1), true),
                // stride 2+ with overlapping windows and padding, 32+ output channels: the padding's taps
                // skipped (ResNet-18's 7x7 -> 4x4 with three column classes, a last block of 20 samples, the
                // 7x7 stem, asymmetric strides and padding, padding 2 whose first output row skips a kernel row)
                Arguments.of(new int[] {70, 3, 7, 7}, new int[] {32, 3, 3, 3}, new Conv2dParams(2, 1, 1), false),
                Arguments.of(new int[] {3, 5, 14, 13}, new int[] {33, 5, 3, 3}, new Conv2dParams(2, 1, 1), false),
                Arguments.of(new int[] {2, 3, 16, 15}, new int[] {32, 3, 7, 7}, new Conv2dParams(2, 3, 1), false),
                Arguments.of(new int[] {3, 4, 11, 10}, new int[] {40, 4, 5, 3}, new Conv2dParams(2, 3, 2, 1, 1), false),
                Arguments.of(new int[] {2, 4, 6, 6}, new int[] {32, 4, 3, 3}, new Conv2dParams(3, 2, 1), false),
                Arguments.of(new int[] {2, 3, 9, 6}, new int[] {32, 3, 3, 3}, new Conv2dParams(2, 1, 1), true),
                // a strided (transposed) input view
                Arguments.of(new int[] {2, 3, 6, 9}, new int[] {4, 3, 3, 3}, new Conv2dParams(1, 1, 1), true),
                Arguments.of(new int[] {2, 4, 5, 8}, new int[] {4, 1, 3, 3}, new Conv2dParams(1, 1, 4), true));
    }

    private static final ConvKernels CONV = CpuBackend.INSTANCE.conv();

    private static CpuConv.Path32 path(int[] xs, int[] ws, Conv2dParams p) {
        return CpuConv.path32(CpuConv.Plan.of(xs, ws, p));
    }

    @ParameterizedTest(name = "x {0} w {1} {2} transposed {3}")
    @MethodSource("cases")
    void everyFloat32PassMatchesTheReference(int[] xs, int[] wsh, Conv2dParams p, boolean transposed) {
        Generator gen = new Generator(77);
        Tensor base = transposed ? exactInF32(gen, xs[0], xs[1], xs[3], xs[2]) : exactInF32(gen, xs);
        Tensor x64 = transposed ? base.transpose(2, 3) : base;
        Tensor x32 = transposed ? base.to(DType.F32).transpose(2, 3) : base.to(DType.F32);
        Tensor w64 = exactInF32(gen, wsh);
        Tensor b64 = exactInF32(gen, wsh[0]);
        Tensor w32 = w64.to(DType.F32);
        Tensor b32 = b64.to(DType.F32);
        String where = path(xs, wsh, p) + " path";

        Tensor out64 = CONV.conv2dForward(x64, w64, b64, p);
        assertClose(CONV.conv2dForward(x32, w32, b32, p), out64, 1e-5, where + ", forward with bias");
        assertClose(CONV.conv2dForward(x32, w32, null, p), CONV.conv2dForward(x64, w64, null, p), 1e-5,
                where + ", forward without bias");
        ConvForward kept = CONV.conv2dForwardKeeping(x32, w32, b32, p);
        assertClose(kept.out(), out64, 1e-5, where + ", forward keeping columns");

        Tensor g64 = exactInF32(gen, out64.shape());
        Tensor g32 = g64.to(DType.F32);
        assertClose(CONV.conv2dBackwardInput(g32, w32, xs, p), CONV.conv2dBackwardInput(g64, w64, xs, p), 1e-5,
                where + ", grad_x");
        Tensor gw64 = CONV.conv2dBackwardWeight(g64, x64, wsh, p);
        assertClose(CONV.conv2dBackwardWeight(g32, x32, wsh, p), gw64, 1e-5, where + ", grad_w");
        if (kept.columns() != null) {
            assertClose(CONV.conv2dBackwardWeight(g32, x32, kept.columns(), wsh, p), gw64, 1e-5,
                    where + ", grad_w from kept columns");
        }
        assertClose(CONV.conv2dBackwardBias(g32), CONV.conv2dBackwardBias(g64), 1e-5, where + ", grad_b");
    }

    @Test
    void theDepthwiseCasesCoverBothLayouts() {
        Set<Boolean> seen = new java.util.HashSet<>();
        cases().forEach(a -> {
            int[] xs = (int[]) a.get()[0];
            int[] ws = (int[]) a.get()[1];
            CpuConv.Plan p = CpuConv.Plan.of(xs, ws, (Conv2dParams) a.get()[2]);
            if (CpuConv.path32(p) == CpuConv.Path32.DEPTHWISE) {
                seen.add(Depthwise32.onPlanes(p.geo(), p.cout()));
            }
        });
        assertEquals(Set.of(true, false), seen, "plane by plane (true) and channels last (false)");
    }

    @Test
    void aPatchEmbeddingOnOneChannelTakesTheGemmPath() {
        assertEquals(CpuConv.Path32.SAMPLE_BLOCKS, path(new int[] {32, 1, 28, 28}, new int[] {192, 1, 4, 4},
                new Conv2dParams(4, 0, 1)), "ViT-Tiny's conv_proj at 28 px, patch 4");
        assertEquals(CpuConv.Path32.DEPTHWISE, path(new int[] {2, 1, 7, 9}, new int[] {5, 1, 3, 3},
                new Conv2dParams(1, 1, 1)), "an overlapping conv on one channel stays depthwise");
    }

    @Test
    void resNet18sStride2ConvsSkipThePaddingOnlyOnSmallPlanes() {
        int[][] convs = {{64, 28}, {128, 14}, {256, 7}}; // Cin, input side; Cout = 2 Cin
        CpuConv.Path32[] expected = {CpuConv.Path32.PER_SAMPLE, CpuConv.Path32.STRIDED, CpuConv.Path32.STRIDED};
        for (int i = 0; i < convs.length; i++) {
            int cin = convs[i][0];
            int h = convs[i][1];
            assertEquals(expected[i], path(new int[] {64, cin, h, h}, new int[] {2 * cin, cin, 3, 3}, new Conv2dParams(2, 1, 1)),
                    "3x3 stride 2, " + cin + " @ " + h);
            // the 1x1 downsampling convs: no padding, no overlap (Im2colPhases)
            assertNotEquals(CpuConv.Path32.STRIDED, path(new int[] {64, cin, h, h}, new int[] {2 * cin, cin, 1, 1},
                    new Conv2dParams(2, 0, 1)), "1x1 stride 2, " + cin + " @ " + h);
        }
    }

    @Test
    void oneByOneConvsTakeBlocksOnlyOnSmallPlanesWithLargeWeights() {
        Conv2dParams p = new Conv2dParams(1, 0, 1);
        assertEquals(CpuConv.Path32.ONE_BY_ONE_BLOCKS, path(new int[] {32, 1152, 2, 2}, new int[] {320, 1152, 1, 1}, p));
        assertEquals(CpuConv.Path32.ONE_BY_ONE_BLOCKS, path(new int[] {32, 320, 2, 2}, new int[] {1280, 320, 1, 1}, p));
        assertEquals(CpuConv.Path32.ONE_BY_ONE, path(new int[] {32, 1152, 2, 2}, new int[] {192, 1152, 1, 1}, p));
        assertEquals(CpuConv.Path32.ONE_BY_ONE, path(new int[] {32, 1152, 8, 8}, new int[] {320, 1152, 1, 1}, p));
        assertEquals(CpuConv.Path32.ONE_BY_ONE, path(new int[] {1, 1152, 2, 2}, new int[] {320, 1152, 1, 1}, p));
    }

    @Test
    void theCasesCoverEveryFloat32Path() {
        Set<CpuConv.Path32> seen = EnumSet.noneOf(CpuConv.Path32.class);
        cases().forEach(a -> seen.add(path((int[]) a.get()[0], (int[]) a.get()[1], (Conv2dParams) a.get()[2])));
        assertEquals(EnumSet.allOf(CpuConv.Path32.class), seen);
    }
}
