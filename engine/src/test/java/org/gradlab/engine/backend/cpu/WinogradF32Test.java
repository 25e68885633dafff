package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Winograd F(2x2, 3x3) and F(4x4, 3x3) ({@link Winograd32}, {@link WinogradTile}) called directly, so that also the
 * channel counts the path choice leaves on im2col (1, 3) are checked, against the float64 reference
 * ({@link ConvReference}): odd and even planes (the cropped last tile row and column), padding 0
 * and 1, batch 1 and 33, with and without bias, forward, backward-data and the filter gradient
 * ({@link WinogradFilterGradient32}), at 1, 2 and 3 threads
 * with every kernel split as finely as it goes. Relative error at most 1e-5 for F(2x2), as every float32 path,
 * 5e-5 for F(4x4) ({@link #tolerance}). Then the path choice: which of ResNet-18's and exp 08's convs take which.
 */
class WinogradF32Test {
    private static final ConvKernels CONV = CpuBackend.INSTANCE.conv();
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        WorkerPool.setLateNanos(0);
        Parallel.setThreads(saved);
        Parallel.setMinChunkWork(0);
    }

    /** tile, n, cin, cout, h, w, padding, bias: every shape with each algorithm. */
    static Stream<Arguments> cases() {
        return shapes().flatMap(a -> Stream.of(WinogradTile.values()).map(t -> {
            Object[] shape = a.get();
            Object[] all = new Object[shape.length + 1];
            all[0] = t;
            System.arraycopy(shape, 0, all, 1, shape.length);
            return Arguments.of(all);
        }));
    }

    /** n, cin, cout, h, w, padding, bias. */
    static Stream<Arguments> shapes() {
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
                Arguments.of(3, 8, 16, 1, 2, 1, true),
                // F(4x4): one tile and a half per side, and planes one past a whole tile
                Arguments.of(2, 16, 24, 6, 6, 1, true),
                Arguments.of(3, 24, 8, 10, 11, 1, false),
                Arguments.of(2, 8, 16, 11, 9, 0, true),
                // ResNet-18's layer3 at 28x28 input (256 channels at 7x7): the most channels summed of any case
                Arguments.of(2, 256, 256, 7, 7, 1, false),
                // ResNet-18's layer2 at 28x28 input (128 channels at 14x14, F(4x4) covering 16x16)
                Arguments.of(1, 128, 128, 14, 14, 1, true));
    }

    @ParameterizedTest(name = "{0} n {1} cin {2} cout {3} {4}x{5} pad {6} bias {7}")
    @MethodSource("cases")
    void forwardAndBothGradientsMatchTheReferenceAtOneTwoAndThreeThreads(WinogradTile tile, int n, int cin, int cout, int h,
                                                                          int w, int pad, boolean withBias) {
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
            double tol = tolerance(tile);
            assertClose(forward(x64, w64, b64, plan, tile), out64, tol, where + ", forward");
            assertClose(backwardInput(g64, w64, plan, tile), gx64, tol, where + ", grad_x");
            assertClose(backwardWeight(g64, x64, plan, tile), gw64, tol, where + ", grad_w");
            Tensor[] both = backwardTogether(g64, x64, w64, plan, tile);
            assertClose(both[0], gx64, tol, where + ", grad_x of the shared pass");
            assertClose(both[1], gw64, tol, where + ", grad_w of the shared pass");
        }
    }

    @ParameterizedTest
    @EnumSource(WinogradTile.class)
    void aFixedThreadCountGivesTheSameBitsEveryTime(WinogradTile tile) {
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
            assertArrayEquals(forward(x, w, b, plan, tile).toFloatArray(), forward(x, w, b, plan, tile).toFloatArray(),
                    threads + " threads");
            assertArrayEquals(backwardInput(g, w, plan, tile).toFloatArray(), backwardInput(g, w, plan, tile).toFloatArray(),
                    threads + " threads");
            assertArrayEquals(backwardWeight(g, x, plan, tile).toFloatArray(), backwardWeight(g, x, plan, tile).toFloatArray(),
                    threads + " threads");
            Tensor[] once = backwardTogether(g, x, w, plan, tile);
            Tensor[] again = backwardTogether(g, x, w, plan, tile);
            assertArrayEquals(once[0].toFloatArray(), again[0].toFloatArray(), threads + " threads, shared pass");
            assertArrayEquals(once[1].toFloatArray(), again[1].toFloatArray(), threads + " threads, shared pass");
        }
    }

    @ParameterizedTest
    @EnumSource(WinogradTile.class)
    void aPoolThreadThatStartsLateChangesNoBitOfTheFilterGradients(WinogradTile tile) {
        Generator gen = new Generator(18);
        int[] xs = {33, 16, 7, 9}; // 5 blocks of F(2x2) tiles (3 of F(4x4)) at 2 and 3 threads: more dU partials than threads
        int[] ws = {24, 16, 3, 3};
        CpuConv.Plan plan = CpuConv.Plan.of(xs, ws, new Conv2dParams(1, 1, 1));
        Tensor x = exactInF32(gen, xs);
        Tensor w = exactInF32(gen, ws);
        Tensor g = exactInF32(gen, 33, 24, 7, 9);
        for (int threads = 2; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            Parallel.setMinChunkWork(1);
            float[] alone = backwardWeight(g, x, plan, tile).toFloatArray();
            Tensor[] both = backwardTogether(g, x, w, plan, tile);
            WorkerPool.setLateNanos(20_000_000L); // every pool thread claims 20 ms after a split appears: the caller runs most groups
            float[] aloneLate = backwardWeight(g, x, plan, tile).toFloatArray();
            Tensor[] bothLate = backwardTogether(g, x, w, plan, tile);
            WorkerPool.setLateNanos(0);
            Parallel.setThreads(1); // a fresh pool: the held-back threads may still be waiting
            String where = threads + " threads, late pool threads";
            assertArrayEquals(alone, aloneLate, where + ", filter gradient");
            assertArrayEquals(both[0].toFloatArray(), bothLate[0].toFloatArray(), where + ", grad_x of the shared pass");
            assertArrayEquals(both[1].toFloatArray(), bothLate[1].toFloatArray(), where + ", grad_w of the shared pass");
        }
    }

    @Test
    void dUPartialsAreOneAtOneThreadAndBoundedByThreadsAndMemory() {
        Parallel.setThreads(1);
        assertEquals(1, WinogradFilterGradient32.partials(8, 32768), "one thread: every block into one dU");
        Parallel.setThreads(2);
        assertEquals(8, WinogradFilterGradient32.partials(8, 32768), "one per block");
        assertEquals(8, WinogradFilterGradient32.partials(32, 32768), "at most 4 per thread");
        assertEquals(2, WinogradFilterGradient32.partials(2, 36 * 64 * 128), "no more than the blocks");
        assertEquals(2, WinogradFilterGradient32.partials(8, 4 << 20), "large partials: one per thread");
        assertEquals(1, WinogradFilterGradient32.partials(1, 32768), "one block");
    }

    @Test
    void resNet18sAndExp08sStrideOneConvsTakeWinogradWithTheMeasuredAlgorithm() {
        // ResNet-18 (28x28 stem): the stride-1 3x3 convs of layer1..4; F(4x4) up to 256 channels where its tiles cover
        // no more than F(2x2)'s (a side of 4k or 4k - 1: 28, 7 and 4) or, at 14, from 64 channels on
        WinogradTile[] tiles = {WinogradTile.F4X4, WinogradTile.F4X4, WinogradTile.F4X4, WinogradTile.F2X2};
        int[][] convs = {{64, 28}, {128, 14}, {256, 7}, {512, 4}};
        for (int k = 0; k < convs.length; k++) {
            int[] c = convs[k];
            assertEquals(CpuConv.Path32.WINOGRAD, path(32, c[0], c[0], c[1], 1), c[0] + " @ " + c[1]);
            assertEquals(CpuConv.Path32.WINOGRAD, filterPath(32, c[0], c[0], c[1]), c[0] + " @ " + c[1] + ", filter");
            assertEquals(tiles[k], CpuConv.winogradTile(plan(32, c[0], c[0], c[1], 1)), c[0] + " @ " + c[1]);
        }
        // a plane F(4x4) covers far more of than F(2x2) stays on F(2x2) whatever the channels: 2x2 (the golden
        // ResNet-18's layer3) and 10x10; 14x14 and 13x13 waste little
        assertEquals(WinogradTile.F2X2, CpuConv.winogradTile(plan(32, 256, 256, 2, 1)));
        assertEquals(WinogradTile.F2X2, CpuConv.winogradTile(plan(32, 128, 128, 10, 1)));
        assertEquals(WinogradTile.F4X4, CpuConv.winogradTile(plan(32, 128, 128, 13, 1)));
        assertEquals(WinogradTile.F2X2, CpuConv.winogradTile(plan(32, 32, 32, 14, 1)));
        assertEquals(CpuConv.Path32.PER_SAMPLE, path(32, 3, 64, 28, 1));
        // its stride-2 convs on 7x7 and 4x4 planes: im2col without the padding's taps
        assertEquals(CpuConv.Path32.STRIDED, path(32, 128, 256, 14, 2));
        // exp 08: 3 -> 32 @ 28 stays on im2col (3 input channels); 32 -> 64 @ 14 runs F(2x2) forward and backward-data,
        // its filter gradient im2col (32 channels); 64 -> 128 @ 7 runs F(4x4) in all three (bench/README.md, "Winograd F(4x4, 3x3)")
        assertEquals(CpuConv.Path32.PER_SAMPLE, path(32, 3, 32, 28, 1));
        assertEquals(CpuConv.Path32.WINOGRAD, path(32, 32, 64, 14, 1));
        assertEquals(WinogradTile.F2X2, CpuConv.winogradTile(plan(32, 32, 64, 14, 1))); // F(4x4) measured 3-6 % slower
        assertEquals(CpuConv.Path32.PER_SAMPLE, filterPath(32, 32, 64, 14));
        // with both gradients wanted, one shared pass from 32 channels: that conv's filter gradient on F(2x2) too
        assertTrue(CpuConv.sharedWinograd(plan(32, 32, 64, 14, 1)), "32 -> 64 @ 14, both gradients");
        assertTrue(CpuConv.sharedWinograd(plan(32, 64, 128, 7, 1)), "64 -> 128 @ 7, both gradients");
        assertFalse(CpuConv.sharedWinograd(plan(32, 3, 32, 28, 1)), "3 -> 32 @ 28 is no Winograd conv");
        assertFalse(CpuConv.sharedWinograd(plan(32, 16, 32, 14, 1)), "16 channels stay on the two calls");
        assertEquals(CpuConv.Path32.WINOGRAD, path(32, 64, 128, 7, 1));
        assertEquals(WinogradTile.F4X4, CpuConv.winogradTile(plan(32, 64, 128, 7, 1)));
        assertEquals(CpuConv.Path32.WINOGRAD, filterPath(32, 64, 128, 7));
        // an odd plane with fewer than 64 input channels stays on im2col (its last tile row and column are partly wasted)
        assertEquals(CpuConv.Path32.SAMPLE_BLOCKS, path(32, 32, 64, 7, 1));
    }

    private static CpuConv.Plan plan(int n, int cin, int cout, int h, int stride) {
        return CpuConv.Plan.of(new int[] {n, cin, h, h}, new int[] {cout, cin, 3, 3}, new Conv2dParams(stride, 1, 1));
    }

    private static CpuConv.Path32 filterPath(int n, int cin, int cout, int h) {
        return CpuConv.filterPath32(plan(n, cin, cout, h, 1));
    }

    private static CpuConv.Path32 path(int n, int cin, int cout, int h, int stride) {
        return CpuConv.path32(CpuConv.Plan.of(new int[] {n, cin, h, h}, new int[] {cout, cin, 3, 3},
                new Conv2dParams(stride, 1, 1)));
    }

    /**
     * Largest relative error against the float64 reference: F(2x2) 1e-5 as every float32 path (these cases
     * measured 5e-8 to 6.9e-7); F(4x4) 5e-5 (measured 8e-8 to 1.2e-5; 3.2e-6 forward at 256 channels at 7x7,
     * 8.3e-6 forward and 1.2e-5 grad_x at 128 channels at 14x14, against F(2x2)'s 4.1e-7 and 5.6e-7; see
     * {@link Winograd4x4Transforms32}).
     */
    private static double tolerance(WinogradTile tile) {
        return tile == WinogradTile.F2X2 ? 1e-5 : 5e-5;
    }

    private static Tensor forward(Tensor x64, Tensor w64, Tensor b64, CpuConv.Plan p, WinogradTile tile) {
        Tensor x = x64.to(DType.F32);
        Tensor w = w64.to(DType.F32);
        float[] bias = b64 == null ? null : b64.to(DType.F32).toFloatArray();
        Tensor out = Tensor.uninitialized(DType.F32, Device.CPU, p.n(), p.cout(), p.geo().ho(), p.geo().wo());
        Winograd32.forward(storage(x), x.offset(), storage(w), w.offset(), bias, storage(out), p, tile);
        return out;
    }

    private static Tensor backwardWeight(Tensor g64, Tensor x64, CpuConv.Plan p, WinogradTile tile) {
        Tensor g = g64.to(DType.F32);
        Tensor x = x64.to(DType.F32);
        Tensor gw = Tensor.uninitialized(DType.F32, Device.CPU, p.cout(), p.cin(), 3, 3);
        WinogradFilterGradient32.backwardWeight(storage(g), g.offset(), storage(x), x.offset(), storage(gw), p, tile);
        return gw;
    }

    /** {grad_x, grad_w} of {@link WinogradBackward32}'s one pass. */
    private static Tensor[] backwardTogether(Tensor g64, Tensor x64, Tensor w64, CpuConv.Plan p, WinogradTile tile) {
        Tensor g = g64.to(DType.F32);
        Tensor x = x64.to(DType.F32);
        Tensor w = w64.to(DType.F32);
        Tensor gx = Tensor.uninitialized(DType.F32, Device.CPU, p.n(), p.cin(), p.geo().h(), p.geo().w());
        Tensor gw = Tensor.uninitialized(DType.F32, Device.CPU, p.cout(), p.cin(), 3, 3);
        WinogradBackward32.backward(storage(g), g.offset(), storage(x), x.offset(), storage(w), w.offset(), storage(gx),
                storage(gw), p, tile);
        return new Tensor[] {gx, gw};
    }

    private static Tensor backwardInput(Tensor g64, Tensor w64, CpuConv.Plan p, WinogradTile tile) {
        Tensor g = g64.to(DType.F32);
        Tensor w = w64.to(DType.F32);
        Tensor gx = Tensor.uninitialized(DType.F32, Device.CPU, p.n(), p.cin(), p.geo().h(), p.geo().w());
        Winograd32.backwardInput(storage(g), g.offset(), storage(w), w.offset(), storage(gx), p, tile);
        return gx;
    }
}
