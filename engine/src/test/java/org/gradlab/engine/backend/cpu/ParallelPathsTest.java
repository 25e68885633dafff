package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.ConvKernels.ConvForward;
import org.gradlab.engine.backend.MatmulKernels;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parallel float32 paths ({@link Parallel}) with 1, 2 and 3 threads and the least work per
 * chunk lowered to 1, so that even these small tensors split into as many chunks as there are
 * threads: every *F32PathTest check again against the float64 reference (RowsF32PathTest for
 * layer norm and softmax included), plus GEMM (rows,
 * columns, batches, transposed views, linear with bias). Then determinism: with a fixed thread
 * count every kernel gives the same bits on every call (the conv filter gradient adds its
 * per-chunk partial sums in chunk order), and the kernels that split without any reduction
 * across chunks give the same bits for every thread count.
 */
class ParallelPathsTest {
    private static final ConvKernels CONV = CpuBackend.INSTANCE.conv();
    private static final MatmulKernels MATMUL = CpuBackend.INSTANCE.matmul();
    private final int saved = Parallel.threads();

    private static void split(int threads) {
        Parallel.setThreads(threads);
        Parallel.setMinChunkWork(1);
        Parallel.setPieceFloats(7); // several staged pieces per chunk even for these small tensors
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
        Parallel.setMinChunkWork(0);
        Parallel.setPieceFloats(0);
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void everyFloat32PathMatchesTheReference(int threads) {
        split(threads);
        ConvF32PathTest conv = new ConvF32PathTest();
        ConvF32PathTest.cases().map(Arguments::get).forEach(a ->
                conv.everyFloat32PassMatchesTheReference((int[]) a[0], (int[]) a[1], (Conv2dParams) a[2], (boolean) a[3]));
        NormF32PathTest norm = new NormF32PathTest();
        NormF32PathTest.cases().map(Arguments::get).forEach(a ->
                norm.float32PassesMatchTheReference((int[]) a[0], (boolean) a[1], (boolean) a[2]));
        NormF32PathTest.cases().map(Arguments::get).forEach(a ->
                norm.fusedActivationPassesMatchTheReferenceAndTheTwoKernels((int[]) a[0], (boolean) a[1], (boolean) a[2]));
        PoolF32PathTest pool = new PoolF32PathTest();
        PoolF32PathTest.cases().map(Arguments::get).forEach(a ->
                pool.maxPoolSelectsAndRoutesLikeTheReference((int) a[0], (int) a[1], (Pool2dParams) a[2], (boolean) a[3]));
        PoolF32PathTest.cases().map(Arguments::get).forEach(a ->
                pool.averagePoolingMatchesTheReference((int) a[0], (int) a[1], (Pool2dParams) a[2], (boolean) a[3]));
        pool.adaptivePoolingMatchesTheReferenceGlobalBlockedAndUpsampled();
        ChannelGateF32PathTest gate = new ChannelGateF32PathTest();
        ChannelGateF32PathTest.cases().map(Arguments::get).forEach(a ->
                gate.float32GateMatchesTheReference((int[]) a[0], (boolean) a[1]));
        ElementwiseF32PathTest ew = new ElementwiseF32PathTest();
        ew.reluTreatsNaNAndSignedZerosAsTheReference();
        ew.reluBackwardMasksLikeTheReferenceDenseAndStrided();
        ew.addAndMultiplyMatchTheReferenceOnEveryPath();
        ew.axpyMatchesTheReference();
        ew.everyFunctionIsItsReferenceRounded();
        new OptimF32PathTest().adamMatchesTheReference();
        new OptimF32PathTest().sgdMatchesTheReference();
        new ReduceF32PathTest().sumMatchesTheReference();
        new CopyF32PathTest().copiesMatchTheReference();
        new LinearGradF32Test().gradientsMatchTheReference();
        new PackedAttentionF32Test().float32MatchesTheReference();
        new PackedAttentionF32Test().matmulIntoStridedViewsMatchesTheProduct();
        RowsF32PathTest rows = new RowsF32PathTest();
        rows.layerNormMatchesTheReference();
        rows.lastAxisSoftmaxMatchesTheReference();
        gemmMatchesTheReference();
    }

    /** matmul with more rows than columns, fewer, batched, through transposed views; linear with and without bias. */
    private static void gemmMatchesTheReference() {
        Generator gen = new Generator(5);
        int[][][] shapes = {{{37, 11}, {11, 5}}, {{3, 13}, {13, 41}}, {{4, 9, 7}, {4, 7, 6}}, {{5, 6, 8}, {8, 3}}};
        for (int[][] s : shapes) {
            Tensor a = exactInF32(gen, s[0]);
            Tensor b = exactInF32(gen, s[1]);
            assertClose(MATMUL.matmul(a.to(DType.F32), b.to(DType.F32)), MATMUL.matmul(a, b), 1e-6,
                    "matmul " + java.util.Arrays.toString(s[0]) + " @ " + java.util.Arrays.toString(s[1]));
        }
        Tensor at = exactInF32(gen, 9, 23);
        Tensor bt = exactInF32(gen, 17, 9);
        assertClose(MATMUL.matmul(at.to(DType.F32).transpose(0, 1), bt.to(DType.F32).transpose(0, 1)),
                MATMUL.matmul(at.transpose(0, 1), bt.transpose(0, 1)), 1e-6, "matmul of transposed views");
        // attention's heads: (N, T, h, d) read as (N, h, T, d), batch dims that do not fold into one stride, read in place
        Tensor q = exactInF32(gen, 3, 7, 2, 5).permute(0, 2, 1, 3);
        Tensor k = exactInF32(gen, 3, 7, 2, 5).permute(0, 2, 1, 3);
        Tensor p = exactInF32(gen, 3, 2, 7, 7);
        assertClose(MATMUL.matmul(q.to(DType.F32), k.to(DType.F32).transpose(-2, -1)),
                MATMUL.matmul(q.contiguous(), k.transpose(-2, -1).contiguous()), 1e-6, "q @ k^T of permuted heads");
        assertClose(MATMUL.matmul(p.to(DType.F32), k.to(DType.F32)), MATMUL.matmul(p, k.contiguous()), 1e-6,
                "p @ v of permuted heads");
        assertClose(MATMUL.matmul(p.to(DType.F32).transpose(-2, -1), q.to(DType.F32)),
                MATMUL.matmul(p.transpose(-2, -1).contiguous(), q.contiguous()), 1e-6, "p^T @ g of permuted heads");
        Tensor x = exactInF32(gen, 19, 12);
        Tensor w = exactInF32(gen, 7, 12);
        Tensor bias = exactInF32(gen, 7);
        assertClose(MATMUL.linear(x.to(DType.F32), w.to(DType.F32), bias.to(DType.F32)), MATMUL.linear(x, w, bias), 1e-6,
                "linear with bias");
        assertClose(MATMUL.linear(x.to(DType.F32), w.to(DType.F32), null), MATMUL.linear(x, w, null), 1e-6, "linear");
    }

    /** The float32 results of one pass of every parallel kernel over the same inputs, as bits. */
    private static List<float[]> everyKernelOnce(boolean alsoReductions) {
        Generator gen = new Generator(9);
        List<float[]> out = new ArrayList<>();
        List<Supplier<Tensor>> calls = new ArrayList<>();
        // per sample (L = 121), in blocks (L = 16, 32 output channels), 1x1, depthwise plane by plane and channels last,
        // Winograd F(2x2) and F(4x4), depthwise 5x5 stride 2 plane by plane
        int[][][] convs = {{{6, 3, 11, 11}, {8, 3, 3, 3}}, {{9, 4, 4, 4}, {32, 4, 3, 3}}, {{5, 6, 5, 5}, {4, 6, 1, 1}},
            {{5, 6, 7, 7}, {6, 1, 3, 3}}, {{5, 40, 2, 2}, {40, 1, 3, 3}}, {{5, 64, 6, 4}, {64, 64, 3, 3}},
            {{5, 64, 7, 8}, {64, 64, 3, 3}}, {{5, 6, 13, 11}, {6, 1, 5, 5}}};
        for (int[][] c : convs) {
            Conv2dParams p = c[1][1] != 1 ? new Conv2dParams(1, c[1][2] / 2, 1)
                    : c[1][2] == 3 ? new Conv2dParams(1, 1, c[0][1]) : new Conv2dParams(2, 2, c[0][1]); // 5x5: stride 2
            Tensor x = exactInF32(gen, c[0]).to(DType.F32);
            Tensor w = exactInF32(gen, c[1]).to(DType.F32);
            ConvForward f = CONV.conv2dForwardKeeping(x, w, null, p);
            Tensor g = exactInF32(gen, f.out().shape()).to(DType.F32);
            CpuConv.Path32 path = CpuConv.path32(CpuConv.Plan.of(c[0], c[1], p));
            if (path != CpuConv.Path32.SAMPLE_BLOCKS && path != CpuConv.Path32.WINOGRAD || alsoReductions) {
                calls.add(f::out); // blocks, Winograd: the block size follows the thread count
                calls.add(() -> CONV.conv2dBackwardInput(g, w, c[0], p));
            }
            boolean onPlanes = path == CpuConv.Path32.DEPTHWISE && Depthwise32.onPlanes(CpuConv.Plan.of(c[0], c[1], p).geo(), c[1][0]);
            if (alsoReductions || onPlanes) { // plane by plane the filter gradient splits channels: no sum crosses threads
                calls.add(() -> CONV.conv2dBackwardWeight(g, x, c[1], p));
            }
            if (alsoReductions) {
                if (f.columns() != null) {
                    calls.add(() -> CONV.conv2dBackwardWeight(g, x, f.columns(), c[1], p));
                }
            }
        }
        if (alsoReductions) { // stride 2 without the padding's taps: in blocks whose size follows the thread count
            Conv2dParams s2 = new Conv2dParams(2, 1, 1);
            Tensor xs = exactInF32(gen, 9, 4, 7, 7).to(DType.F32);
            Tensor ws = exactInF32(gen, 32, 4, 3, 3).to(DType.F32);
            Tensor gs = exactInF32(gen, 9, 32, 4, 4).to(DType.F32);
            calls.add(() -> CONV.conv2dForward(xs, ws, null, s2));
            calls.add(() -> CONV.conv2dBackwardInput(gs, ws, xs.shape(), s2));
            calls.add(() -> CONV.conv2dBackwardWeight(gs, xs, ws.shape(), s2));
        }
        Tensor x = exactInF32(gen, 6, 5, 8, 8).to(DType.F32);
        Tensor g = exactInF32(gen, 6, 5, 8, 8).to(DType.F32);
        var bn = CpuBackend.INSTANCE.norm().batchNormForward(x, null, null, null, null, true, 0.1, 1e-5);
        calls.add(bn::out);
        calls.add(() -> CpuBackend.INSTANCE.norm().batchNormBackward(g, x, null, bn.saveMean(), bn.saveInvstd(), true, true,
                false, false).gradX());
        Pool2dParams pp = new Pool2dParams(2, 2, 0);
        Tensor pooled = CpuBackend.INSTANCE.pool().maxPool2dForward(x, pp);
        calls.add(() -> pooled);
        calls.add(() -> CpuBackend.INSTANCE.pool().maxPool2dBackward(exactInF32(new Generator(3), pooled.shape()).to(DType.F32),
                x, pooled, pp));
        calls.add(x::relu);
        calls.add(() -> x.add(g));
        calls.add(() -> x.mul(g));
        calls.add(() -> MATMUL.matmul(x.reshape(30, 64), g.reshape(64, 30)));
        Tensor rowsX = exactInF32(gen, 150, 37).to(DType.F32);
        Tensor rowsG = exactInF32(gen, 150, 37).to(DType.F32);
        var ln = CpuBackend.INSTANCE.rows().layerNormForward(rowsX, 37, null, null, 1e-5);
        calls.add(ln::out);
        calls.add(() -> CpuBackend.INSTANCE.rows().layerNormBackward(rowsG, rowsX, 37, null, ln.mean(), ln.invstd(), true, false,
                false).gradX());
        calls.add(() -> CpuBackend.INSTANCE.rows().layerNormBackward(rowsG, rowsX, 37, null, ln.mean(), ln.invstd(), false, true,
                true).gradWeight());
        Tensor wide = exactInF32(gen, 130, 1100).to(DType.F32); // a bias gradient's sum: 64-row blocks, split by 512 columns
        calls.add(() -> wide.sum(new int[] {0}, false));
        Tensor sm = CpuBackend.INSTANCE.rows().softmax(rowsX, 1);
        calls.add(() -> sm);
        calls.add(() -> CpuBackend.INSTANCE.rows().softmaxBackward(rowsG, sm, 1));
        for (Supplier<Tensor> c : calls) {
            out.add(c.get().toFloatArray());
        }
        Tensor p = exactInF32(gen, x.shape()).to(DType.F32);
        Tensor m = Tensor.zeros(DType.F32, x.device(), x.shape());
        Tensor v = Tensor.zeros(DType.F32, x.device(), x.shape());
        CpuBackend.INSTANCE.optim().adamStep(p, g, m, v, 1e-2, 0.9, 0.999, 1e-8, 0.01, 1, false);
        out.add(p.toFloatArray());
        return out;
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 3})
    void aFixedThreadCountGivesTheSameBitsEveryTime(int threads) {
        split(threads);
        List<float[]> first = everyKernelOnce(true);
        List<float[]> second = everyKernelOnce(true);
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i), "kernel " + i + " with " + threads + " threads");
        }
    }

    @Test
    void splitsWithoutReductionGiveTheSameBitsForEveryThreadCount() {
        split(1);
        List<float[]> one = everyKernelOnce(false);
        for (int threads : new int[] {2, 3}) {
            split(threads);
            List<float[]> many = everyKernelOnce(false);
            for (int i = 0; i < one.size(); i++) {
                assertArrayEquals(one.get(i), many.get(i), "kernel " + i + ": 1 thread vs " + threads);
            }
        }
    }
}
