package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Storage;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.ops.BatchNorm2d;
import org.gradlab.engine.ops.BatchNormRelu;
import org.gradlab.engine.ops.BatchNormSilu;
import org.gradlab.engine.ops.Dropout;
import org.gradlab.engine.ops.Gelu;
import org.gradlab.engine.ops.LayerNorm;
import org.gradlab.engine.ops.Relu;
import org.gradlab.engine.ops.Silu;
import org.gradlab.engine.ops.SqueezeExcitation;
import org.gradlab.natives.NativeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The ops whose backward writes the input gradient over their upstream gradient when the
 * backward loop hands it over ({@code Op.ownsGradOut}): float32, threads 1-3, the same bits as
 * when it is not handed over (a listener watching), and the gradient really goes in place; and
 * the cases where it must not: a retained graph, a hook, a retained gradient, an add handing one
 * gradient to two such ops. Each op sits between two probes: the one after it returns a fresh
 * gradient (the op's upstream), the one before it sees what the op returned.
 */
class GradOutInPlaceTest {
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
        Parallel.setMinChunkWork(0);
        Parallel.setPieceFloats(0);
    }

    /** Identity whose backward returns a fresh copy of its upstream; remembers both. */
    static final class Probe extends Op {
        Tensor received;
        Tensor returned;

        static Tensor apply(Tensor x, Probe op) {
            return Autograd.record(op, x.backend().elementwise().contiguous(x), x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            received = g;
            returned = g.backend().elementwise().contiguous(g);
            return new Tensor[] {returned};
        }
    }

    /** One op under test: its input's shape, and the op applied with whatever parameters it owns (seeded). */
    record Case(String name, int[] shape, Function<Tensor, Tensor> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Tensor param(long seed, int c) {
        return Tensor.normal(new Generator(seed), 0.5, 0.3, DType.F32, Device.CPU, c).requiresGrad(true);
    }

    private static Function<Tensor, Tensor> batchNorm(int kind) {
        return x -> {
            Tensor w = param(11, x.shape(1));
            Tensor b = param(12, x.shape(1));
            return switch (kind) {
                case 0 -> BatchNormSilu.apply(x, w, b, null, null, true, 0.1, 1e-5);
                case 1 -> BatchNormRelu.apply(x, w, b, null, null, true, 0.1, 1e-5);
                default -> BatchNorm2d.apply(x, w, b, null, null, true, 0.1, 1e-5);
            };
        };
    }

    /** Squeeze to 2 channels and back, weights seeded. */
    private static Tensor squeezeExcitation(Tensor x) {
        int c = x.shape(1);
        Generator gen = new Generator(13);
        Tensor w1 = Tensor.normal(gen, 0, 0.5, DType.F32, Device.CPU, 2, c, 1, 1).requiresGrad(true);
        Tensor w2 = Tensor.normal(gen, 0, 0.5, DType.F32, Device.CPU, c, 2, 1, 1).requiresGrad(true);
        return SqueezeExcitation.apply(x, w1, param(14, 2), w2, param(15, c));
    }

    static Stream<Case> ops() {
        int[] flat = {5, 37};
        int[] planes = {3, 5, 4, 6};
        return Stream.of(new Case("gelu", flat, Gelu::apply),
                new Case("gelu tanh", flat, x -> Gelu.apply(x, Gelu.Approximation.TANH)),
                new Case("silu", flat, Silu::apply),
                new Case("relu", flat, Relu::apply),
                new Case("dropout", flat, x -> Dropout.apply(x, 0.3, true, new Generator(5))),
                new Case("batch norm + silu", planes, batchNorm(0)),
                // planes of whole vectors: the vector kernels' backward stores from registers
                new Case("batch norm + silu, 8x8 planes", new int[] {3, 5, 8, 8}, batchNorm(0)),
                new Case("batch norm + relu", planes, batchNorm(1)),
                new Case("batch norm", planes, batchNorm(2)),
                new Case("squeeze-excitation", planes, GradOutInPlaceTest::squeezeExcitation),
                new Case("layer norm", flat, x -> LayerNorm.apply(x, param(16, x.shape(1)), param(17, x.shape(1)), 1e-6)));
    }

    static Stream<Arguments> opsAndThreads() {
        return ops().flatMap(c -> Stream.of(1, 2, 3).map(t -> Arguments.of(c, t)));
    }

    /** x's gradient and what the probes saw, for one backward through probe, op, probe, * w, sum. */
    private record Run(float[] grad, Probe before, Probe after) {
        boolean inPlace() {
            return before.received.storage() == after.returned.storage();
        }
    }

    private static Run run(Case c, boolean watched) {
        Tensor x = Tensor.normal(new Generator(1), 0, 1.5, DType.F32, Device.CPU, c.shape()).requiresGrad(true);
        Tensor w = Tensor.normal(new Generator(2), 0, 1, DType.F32, Device.CPU, c.shape());
        Probe before = new Probe();
        Probe after = new Probe();
        Tensor loss = Probe.apply(c.op().apply(Probe.apply(x, before)), after).mul(w).sum();
        Autograd.BackwardListener quiet = (op, g, grads, axes) -> { };
        if (watched) {
            Autograd.addListener(quiet); // a listener reads every gradient: nothing is overwritten
        }
        try {
            loss.backward();
        } finally {
            Autograd.removeListener(quiet);
        }
        return new Run(x.grad().toFloatArray(), before, after);
    }

    @ParameterizedTest(name = "{0}, {1} threads")
    @MethodSource("opsAndThreads")
    void inPlaceGivesTheSameBitsAsAFreshGradient(Case c, int threads) {
        Parallel.setThreads(threads);
        Parallel.setMinChunkWork(1);
        Parallel.setPieceFloats(7); // several pieces per chunk even at these sizes
        Run fresh = run(c, true);
        Run inPlace = run(c, false);
        assertEquals(false, fresh.inPlace(), "watched by a listener, the upstream must stay intact");
        assertEquals(true, inPlace.inPlace(), c + ": the input gradient should go into the upstream's storage");
        assertArrayEquals(fresh.grad(), inPlace.grad(), c + ": in place changed bits");
    }

    private static final Case GELU = ops().findFirst().orElseThrow();
    private static final Case BN_SILU = ops().filter(c -> c.name().equals("batch norm + silu")).findFirst().orElseThrow();

    @ParameterizedTest(name = "{0}")
    @MethodSource("ops")
    void aRetainedGraphKeepsTheUpstream(Case c) {
        float[] expected = run(c, true).grad();
        Tensor x = Tensor.normal(new Generator(1), 0, 1.5, DType.F32, Device.CPU, c.shape()).requiresGrad(true);
        Tensor w = Tensor.normal(new Generator(2), 0, 1, DType.F32, Device.CPU, c.shape());
        Probe before = new Probe();
        Probe after = new Probe();
        Tensor loss = Probe.apply(c.op().apply(Probe.apply(x, before)), after).mul(w).sum();
        loss.backward(null, true);
        assertNotSame(after.returned.storage(), before.received.storage());
        float[] upstream = after.returned.toFloatArray();
        loss.backward(null, false);
        float[] twice = x.grad().toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(2 * expected[i], twice[i], 1e-5f * Math.max(1, Math.abs(expected[i])), c + " at " + i);
        }
        assertArrayEquals(w.toFloatArray(), upstream, "the first backward's upstream changed");
    }

    @Test
    void aHookedOrRetainedUpstreamIsNotOverwritten() {
        for (Case c : List.of(GELU, BN_SILU)) {
            float[] expected = run(c, true).grad();
            for (boolean hook : new boolean[] {true, false}) {
                Tensor x = Tensor.normal(new Generator(1), 0, 1.5, DType.F32, Device.CPU, c.shape()).requiresGrad(true);
                Tensor w = Tensor.normal(new Generator(2), 0, 1, DType.F32, Device.CPU, c.shape());
                Probe before = new Probe();
                Probe after = new Probe();
                Tensor out = Probe.apply(c.op().apply(Probe.apply(x, before)), after);
                Tensor[] seen = new Tensor[1];
                if (hook) {
                    out.registerHook(g -> {
                        seen[0] = g;
                        return null;
                    });
                } else {
                    out.retainGrad();
                }
                out.mul(w).sum().backward();
                Tensor upstream = hook ? seen[0] : out.grad();
                assertArrayEquals(w.toFloatArray(), upstream.toFloatArray(), c + (hook ? ": the hook's" : ": the retained")
                        + " gradient changed");
                assertArrayEquals(expected, x.grad().toFloatArray(), c + ": x's gradient");
            }
        }
    }

    /**
     * z = f(p1(x1)) + f(p2(x2)): the add hands one gradient to both ops; the first one to run finds
     * it still pending for the other and must not overwrite it; the second may.
     */
    @Test
    void anAddHandingOneGradientToTwoOpsKeepsItForTheSecond() {
        for (Case c : List.of(GELU, BN_SILU)) {
            float[][][] grads = new float[2][][];
            for (int watched = 0; watched < 2; watched++) {
                Tensor x1 = Tensor.normal(new Generator(1), 0, 1.5, DType.F32, Device.CPU, c.shape()).requiresGrad(true);
                Tensor x2 = Tensor.normal(new Generator(3), 0, 1.5, DType.F32, Device.CPU, c.shape()).requiresGrad(true);
                Tensor w = Tensor.normal(new Generator(2), 0, 1, DType.F32, Device.CPU, c.shape());
                Probe before1 = new Probe();
                Probe before2 = new Probe();
                Probe after = new Probe();
                Tensor z = c.op().apply(Probe.apply(x1, before1)).add(c.op().apply(Probe.apply(x2, before2)));
                Tensor loss = Probe.apply(z, after).mul(w).sum();
                Autograd.BackwardListener quiet = (op, g, gi, axes) -> { };
                if (watched == 1) {
                    Autograd.addListener(quiet);
                }
                try {
                    loss.backward();
                } finally {
                    Autograd.removeListener(quiet);
                }
                grads[watched] = new float[][] {x1.grad().toFloatArray(), x2.grad().toFloatArray()};
                if (watched == 0) {
                    Storage s = after.returned.storage();
                    int intoIt = (before1.received.storage() == s ? 1 : 0) + (before2.received.storage() == s ? 1 : 0);
                    assertEquals(1, intoIt, c + ": exactly the second op should write into the shared gradient");
                }
            }
            assertArrayEquals(grads[1][0], grads[0][0], c + ": x1's gradient");
            assertArrayEquals(grads[1][1], grads[0][1], c + ": x2's gradient");
        }
    }

    /**
     * Steps with in-place backwards (batch norm + SiLU, then GELU) inside scopes leave no off-heap
     * memory behind, and the chain's gradients do go in place.
     */
    @Test
    void inPlaceStepsDoNotLeak() {
        Tensor x;
        Tensor w;
        Tensor b;
        try (MemoryScope p = MemoryScope.persistent()) {
            x = Tensor.normal(new Generator(1), 0, 1.5, DType.F32, Device.CPU, 4, 6, 5, 5).requiresGrad(true);
            w = param(11, 6);
            b = param(12, 6);
        }
        step(x, w, b);
        long before = NativeBuffer.liveBytes();
        for (int i = 0; i < 50; i++) {
            step(x, w, b);
        }
        assertEquals(before, NativeBuffer.liveBytes(), "off-heap bytes after 50 steps");
    }

    private static void step(Tensor x, Tensor w, Tensor b) {
        try (MemoryScope s = MemoryScope.open()) {
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
            Probe before = new Probe();
            Probe after = new Probe();
            Tensor y = Gelu.apply(BatchNormSilu.apply(Probe.apply(x, before), w, b, null, null, true, 0.1, 1e-5));
            Probe.apply(y, after).mul(x.detach()).sum().backward();
            assertSame(before.received.storage(), after.returned.storage());
        }
    }
}
