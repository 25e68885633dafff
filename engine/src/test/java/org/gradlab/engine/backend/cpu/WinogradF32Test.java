package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Winograd F(2x2, 3x3) ({@link Winograd32}) called directly, so that also the channel counts the
 * path choice leaves on im2col (1, 3) are checked, against the float64 reference
 * ({@link ConvReference}): odd and even planes (the cropped last tile row and column), padding 0
 * and 1, batch 1 and 33, with and without bias, forward, backward-data and the filter gradient
 * ({@link WinogradFilterGradient32}), at 1, 2 and 3 threads
 * with every kernel split as finely as it goes. Relative error at most 1e-5, as every float32 path.
 * Then the path choice: ResNet-18's 3x3 stride-1 convs take Winograd, exp 08's (too few channels to
 * gain, bench/README.md) stay on im2col.
 */
class WinogradF32Test {
    private static final ConvKernels CONV = CpuBackend.INSTANCE.conv();
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
        Parallel.setMinChunkWork(0);
    }

    /** n, cin, cout, h, w, padding, bias. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(1, 1, 1, 7, 7, 1, true),
                Arguments.of(33, 3, 16, 7, 7, 0, false),
                Arguments.of(2, 16, 3, 14, 14, 1, false),
                Arguments.of(1, 16, 64, 14, 14, 0, true),
                Arguments.of(33, 16, 16, 5, 9, 1, true),
                Arguments.of(3, 64, 16, 5, 9, 0, false),
                Arguments.of(1, 3, 64, 28, 28, 1, true),
                Arguments.of(2, 64, 64, 28, 28, 0, false),
                Arguments.of(33, 1, 3, 28, 28, 1, false),
                Arguments.of(1, 64, 1, 9, 5, 1, false),
                // planes of one or two outputs: a single tile, cropped in both directions
                Arguments.of(4, 16, 8, 3, 3, 0, true),
                Arguments.of(3, 8, 16, 1, 2, 1, true));
    }

    @ParameterizedTest(name = "n {0} cin {1} cout {2} {3}x{4} pad {5} bias {6}")
    @MethodSource("cases")
    void forwardAndBothGradientsMatchTheReferenceAtOneTwoAndThreeThreads(int n, int cin, int cout, int h, int w, int pad,
                                                                          boolean withBias) {
        Generator gen = new Generator(31);
        int[] xs = {n, cin, h, w};
        int[] ws = {cout, cin, 3, 3};
        Conv2dParams cp = new Conv2dParams(1, pad, 1);
        Tensor x64 = exactInF32(gen, xs);
        Tensor w64 = exactInF32(gen, ws);
        Tensor b64 = withBias ? exactInF32(gen, cout) : null;
        Tensor out64 = CONV.conv2dForward(x64, w64, b64, cp);
        Tensor g64 = exactInF32(gen, out64.shape());
        Tensor gx64 = CONV.conv2dBackwardInput(g64, w64, xs, cp);
        Tensor gw64 = CONV.conv2dBackwardWeight(g64, x64, ws, cp);
        CpuConv.Plan plan = CpuConv.Plan.of(xs, ws, cp);
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            Parallel.setMinChunkWork(1);
            String where = threads + " threads";
            assertClose(forward(x64, w64, b64, plan), out64, 1e-5, where + ", forward");
            assertClose(backwardInput(g64, w64, plan), gx64, 1e-5, where + ", grad_x");
            assertClose(backwardWeight(g64, x64, plan), gw64, 1e-5, where + ", grad_w");
        }
    }

    @Test
    void aFixedThreadCountGivesTheSameBitsEveryTime() {
        Generator gen = new Generator(8);
        int[] xs = {9, 16, 7, 9};
        int[] ws = {24, 16, 3, 3};
        CpuConv.Plan plan = CpuConv.Plan.of(xs, ws, new Conv2dParams(1, 1, 1));
        Tensor x = exactInF32(gen, xs);
        Tensor w = exactInF32(gen, ws);
        Tensor b = exactInF32(gen, 24);
        Tensor g = exactInF32(gen, 9, 24, 7, 9);
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            Parallel.setMinChunkWork(1);
            assertArrayEquals(forward(x, w, b, plan).toFloatArray(), forward(x, w, b, plan).toFloatArray(), threads + " threads");
            assertArrayEquals(backwardInput(g, w, plan).toFloatArray(), backwardInput(g, w, plan).toFloatArray(),
                    threads + " threads");
            assertArrayEquals(backwardWeight(g, x, plan).toFloatArray(), backwardWeight(g, x, plan).toFloatArray(),
                    threads + " threads");
        }
    }

    @Test
    void resNet18sStrideOneConvsTakeWinogradAndExp08sStayOnIm2col() {
        // ResNet-18 (28x28 stem): the stride-1 3x3 convs of layer1..4; its stem (Cin 3) takes im2col, its
        // stride-2 convs im2col without the padding's taps
        for (int[] c : new int[][] {{64, 28}, {128, 14}, {256, 7}, {512, 4}}) {
            assertEquals(CpuConv.Path32.WINOGRAD, path(32, c[0], c[0], c[1], 1), c[0] + " @ " + c[1]);
        }
        assertEquals(CpuConv.Path32.PER_SAMPLE, path(32, 3, 64, 28, 1));
        assertEquals(CpuConv.Path32.STRIDED, path(32, 128, 256, 14, 2));
        // exp 08: 3 -> 32 @ 28, 32 -> 64 @ 14, 64 -> 128 @ 7 measured slower on Winograd (too few channels)
        assertEquals(CpuConv.Path32.PER_SAMPLE, path(32, 3, 32, 28, 1));
        assertEquals(CpuConv.Path32.PER_SAMPLE, path(32, 32, 64, 14, 1));
        assertEquals(CpuConv.Path32.SAMPLE_BLOCKS, path(32, 64, 128, 7, 1));
        // the filter gradient of a Winograd conv takes Winograd too
        assertEquals(CpuConv.Path32.WINOGRAD,
                CpuConv.filterPath32(CpuConv.Plan.of(new int[] {32, 256, 7, 7}, new int[] {256, 256, 3, 3}, new Conv2dParams(1, 1, 1))));
    }

    private static CpuConv.Path32 path(int n, int cin, int cout, int h, int stride) {
        return CpuConv.path32(CpuConv.Plan.of(new int[] {n, cin, h, h}, new int[] {cout, cin, 3, 3},
                new Conv2dParams(stride, 1, 1)));
    }

    private static Tensor forward(Tensor x64, Tensor w64, Tensor b64, CpuConv.Plan p) {
        Tensor x = x64.to(DType.F32);
        Tensor w = w64.to(DType.F32);
        float[] bias = b64 == null ? null : b64.to(DType.F32).toFloatArray();
        Tensor out = Tensor.uninitialized(DType.F32, Device.CPU, p.n(), p.cout(), p.geo().ho(), p.geo().wo());
        Winograd32.forward(storage(x), x.offset(), storage(w), w.offset(), bias, storage(out), p);
        return out;
    }

    private static Tensor backwardWeight(Tensor g64, Tensor x64, CpuConv.Plan p) {
        Tensor g = g64.to(DType.F32);
        Tensor x = x64.to(DType.F32);
        Tensor gw = Tensor.uninitialized(DType.F32, Device.CPU, p.cout(), p.cin(), 3, 3);
        WinogradFilterGradient32.backwardWeight(storage(g), g.offset(), storage(x), x.offset(), storage(gw), p);
        return gw;
    }

    private static Tensor backwardInput(Tensor g64, Tensor w64, CpuConv.Plan p) {
        Tensor g = g64.to(DType.F32);
        Tensor w = w64.to(DType.F32);
        Tensor gx = Tensor.uninitialized(DType.F32, Device.CPU, p.n(), p.cin(), p.geo().h(), p.geo().w());
        Winograd32.backwardInput(storage(g), g.offset(), storage(w), w.offset(), storage(gx), p);
        return gx;
    }
}
