package org.gradlab.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.IdentityHashMap;
import java.util.Map;
import org.gradlab.engine.Storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A tensor read by several ops gets the sum of their gradients; the sum goes in place into a
 * gradient nothing else reads (GradientSums), and never into one that another pending gradient,
 * a retained gradient, a hook or the same op's other input shares.
 */
class GradientSumsTest {
    private static final int N = 6;

    /** Identity whose backward returns a fresh copy of its upstream, remembered for the test. */
    static final class FreshCopy extends Op {
        Tensor returned;

        static Tensor apply(Tensor x, FreshCopy op) {
            Tensor out = x.backend().elementwise().contiguous(x);
            Autograd.record(op, out, x);
            return out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            returned = g.backend().elementwise().contiguous(g);
            return new Tensor[] {returned};
        }
    }

    private static Tensor leaf(long seed) {
        return Tensor.normal(new Generator(seed), 0, 1, DType.F64, Device.CPU, N).requiresGrad(true);
    }

    private static Tensor constant(long seed) {
        return Tensor.normal(new Generator(seed), 0, 1, DType.F64, Device.CPU, N);
    }

    private static double[] scaled(double c, Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b == null ? new double[N] : b.toDoubleArray();
        double[] r = new double[N];
        for (int i = 0; i < N; i++) {
            r[i] = c * (x[i] + y[i]);
        }
        return r;
    }

    @Test
    void twoFreshGradientsAreSummedIntoOneOfThem() {
        Tensor x0 = leaf(1);
        Tensor w = constant(2);
        Tensor v = constant(3);
        Tensor a = x0.mul(2.0);
        Tensor[] seen = new Tensor[1];
        a.registerHook(g -> {
            seen[0] = g;
            return null;
        });
        FreshCopy left = new FreshCopy();
        FreshCopy right = new FreshCopy();
        FreshCopy.apply(a, left).mul(w).sum().add(FreshCopy.apply(a, right).mul(v).sum()).backward();
        assertArrayEquals(scaled(2, w, v), x0.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(scaled(1, w, v), seen[0].toDoubleArray(), 1e-12);
        assertTrue(seen[0].storage() == left.returned.storage() || seen[0].storage() == right.returned.storage(),
                "the sum should reuse one of the two fresh gradients, not allocate");
    }

    @Test
    void aGradientAnAddHandsToBothInputsIsNotOverwritten() {
        for (boolean addFirst : new boolean[] {true, false}) {
            Tensor x0 = leaf(4);
            Tensor y0 = leaf(5);
            Tensor w = constant(6);
            Tensor v = constant(7);
            Tensor x = x0.mul(2.0);
            Tensor y = y0.mul(3.0);
            Tensor viaAdd = x.add(y).mul(w).sum();
            Tensor direct = x.mul(v).sum();
            (addFirst ? viaAdd.add(direct) : direct.add(viaAdd)).backward();
            assertArrayEquals(scaled(2, w, v), x0.grad().toDoubleArray(), 1e-12, "x: addFirst " + addFirst);
            assertArrayEquals(scaled(3, w, null), y0.grad().toDoubleArray(), 1e-12, "y: addFirst " + addFirst);
        }
    }

    @Test
    void aRetainedGradientIsNotOverwritten() {
        Tensor x0 = leaf(8);
        Tensor y0 = leaf(9);
        Tensor w = constant(10);
        Tensor v = constant(11);
        Tensor x = x0.mul(2.0);
        Tensor s = x.add(y0.mul(3.0)).retainGrad();
        s.mul(w).sum().add(x.mul(v).sum()).backward();
        assertArrayEquals(w.toDoubleArray(), s.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(scaled(2, w, v), x0.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aGradientAHookSawIsNotOverwritten() {
        Tensor x0 = leaf(12);
        Tensor w = constant(13);
        Tensor v = constant(14);
        Tensor x = x0.mul(2.0);
        Tensor s = x.add(x0.mul(5.0));
        double[][] seenBefore = new double[1][];
        Tensor[] seen = new Tensor[1];
        s.registerHook(g -> {
            seen[0] = g;
            seenBefore[0] = g.toDoubleArray();
            return null;
        });
        s.mul(w).sum().add(x.mul(v).sum()).backward();
        assertArrayEquals(seenBefore[0], seen[0].toDoubleArray(), 0, "the hook's tensor changed after it ran");
        assertArrayEquals(w.toDoubleArray(), seenBefore[0], 1e-12);
        double[] expected = scaled(2, w, v);
        double[] w5 = scaled(5, w, null);
        for (int i = 0; i < N; i++) {
            expected[i] += w5[i];
        }
        assertArrayEquals(expected, x0.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void aTensorAddedToItselfAndReadElsewhere() {
        Tensor x0 = leaf(15);
        Tensor w = constant(16);
        Tensor v = constant(17);
        Tensor a = x0.mul(2.0);
        a.add(a).mul(w).sum().add(a.mul(v).sum()).backward();
        double[] expected = scaled(2, w.mul(2.0), v);
        assertArrayEquals(expected, x0.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void floatResidualStreamMatchesTheDoubleOne() {
        Generator gen = new Generator(18);
        Tensor x64 = Tensor.normal(gen, 0, 1, DType.F64, Device.CPU, 4, 8);
        Tensor w64 = Tensor.normal(gen, 0, 1, DType.F64, Device.CPU, 4, 8);
        double[][] grads = new double[2][];
        DType[] dtypes = {DType.F64, DType.F32};
        for (int k = 0; k < 2; k++) {
            Tensor x = x64.to(dtypes[k]).detach().requiresGrad(true);
            Tensor w = w64.to(dtypes[k]);
            Tensor h = x.mul(1.5);
            for (int block = 0; block < 3; block++) { // h = h + f(h), each block reading h twice
                h = h.add(h.mul(w).tanh());
            }
            h.mul(w).sum().backward();
            grads[k] = x.grad().toDoubleArray();
        }
        assertArrayEquals(grads[0], grads[1], 1e-5);
    }

    /** One call of GradientSums.sum on fresh 1..N and 10..10N: which tensor comes back, and is each input intact. */
    private static final class Case {
        final Tensor prev = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, N);
        final Tensor gi = Tensor.of(new double[] {10, 20, 30, 40, 50, 60}, N);
        final Tensor upstream = Tensor.of(new double[] {7, 7, 7, 7, 7, 7}, N);
        final Op key = new FreshCopy();
        final Map<Op, Tensor> pending = new IdentityHashMap<>();
        final Map<Storage, Boolean> held = new IdentityHashMap<>();
        Tensor[] returned = {null, gi};
        boolean mayMutate = true;

        Case() {
            pending.put(key, prev);
        }

        Tensor run() {
            Tensor sum = GradientSums.sum(prev, gi, key, 1, upstream, returned, pending, held, mayMutate);
            assertArrayEquals(new double[] {11, 22, 33, 44, 55, 66}, sum.toDoubleArray(), 0);
            return sum;
        }

        void assertIntact(Tensor t, double first) {
            assertArrayEquals(new double[] {first, 2 * first, 3 * first, 4 * first, 5 * first, 6 * first}, t.toDoubleArray(), 0);
        }
    }

    @Test
    void anOwnedPendingGradientTakesTheSum() {
        Case c = new Case();
        assertSame(c.prev, c.run());
        c.assertIntact(c.gi, 10);
    }

    @Test
    void aFreshGradientTakesTheSumWhenThePendingOneIsShared() {
        Case c = new Case();
        Tensor otherView = c.prev.reshape(2, 3);
        c.pending.put(new FreshCopy(), otherView);
        assertSame(c.gi, c.run());
        c.assertIntact(c.prev, 1);
    }

    @Test
    void neitherIsOverwrittenWhenEachIsReadElsewhere() {
        Case shared = new Case();
        shared.pending.put(new FreshCopy(), shared.prev.reshape(3, 2)); // another pending gradient shares prev
        shared.returned = new Tensor[] {shared.gi.reshape(2, 3), shared.gi}; // the op handed gi to its other input too
        assertFresh(shared);

        Case held = new Case();
        held.held.put(held.prev.storage(), Boolean.TRUE); // a retained gradient or a hook's
        held.held.put(held.gi.storage(), Boolean.TRUE);
        assertFresh(held);

        Case watched = new Case();
        watched.mayMutate = false; // a listener watches, or the graph is retained
        assertFresh(watched);
    }

    @Test
    void aStridedPendingGradientIsNotWrittenInPlace() {
        Case c = new Case(); // prev not contiguous (every other element of a pair), which axpy cannot write
        Tensor pair = Tensor.of(new double[] {1, -1, 2, -1, 3, -1, 4, -1, 5, -1, 6, -1}, N, 2);
        Tensor prev = pair.view(new int[] {N}, new int[] {2}, 0);
        c.pending.put(c.key, prev);
        Tensor sum = GradientSums.sum(prev, c.gi, c.key, 1, c.upstream, c.returned, c.pending, c.held, true);
        assertSame(c.gi, sum);
        assertArrayEquals(new double[] {11, 22, 33, 44, 55, 66}, sum.toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, -1, 2, -1, 3, -1, 4, -1, 5, -1, 6, -1}, pair.toDoubleArray(), 0);
    }

    @Test
    void theOpsOwnUpstreamIsNotOverwritten() {
        Case c = new Case(); // prev is a view of the upstream gradient the running op received (an add passed it on)
        Tensor whole = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7}, 2, N);
        Tensor prev = whole.view(new int[] {N}, new int[] {1}, 0);
        c.pending.put(c.key, prev);
        Tensor sum = GradientSums.sum(prev, c.gi, c.key, 1, whole, c.returned, c.pending, c.held, true);
        assertSame(c.gi, sum);
        assertArrayEquals(new double[] {11, 22, 33, 44, 55, 66}, sum.toDoubleArray(), 0);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7}, whole.toDoubleArray(), 0);
    }

    private static void assertFresh(Case c) {
        Tensor sum = c.run();
        assertTrue(sum.storage() != c.prev.storage() && sum.storage() != c.gi.storage(), "the sum must be a new tensor");
        c.assertIntact(c.prev, 1);
        c.assertIntact(c.gi, 10);
    }

    @Test
    void aTensorSummedWithItselfIsNotOverwritten() {
        Case c = new Case();
        Tensor sum = GradientSums.sum(c.prev, c.prev, c.key, 1, c.upstream, new Tensor[] {null, c.prev}, c.pending, c.held, true);
        assertArrayEquals(new double[] {2, 4, 6, 8, 10, 12}, sum.toDoubleArray(), 0);
        c.assertIntact(c.prev, 1);
    }
}
