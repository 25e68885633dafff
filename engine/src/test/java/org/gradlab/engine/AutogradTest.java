package org.gradlab.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.autograd.GradMode;
import org.junit.jupiter.api.Test;

/** The tape's semantics: accumulation, retain_graph, hooks, no-grad, detach, long graphs. */
class AutogradTest {

    private static Tensor leaf(double... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1, 2, 3);
        x.mul(x).sum().backward();
        x.mul(x).sum().backward();
        assertArrayEquals(new double[] {4, 8, 12}, x.grad().toDoubleArray(), 0);
        x.zeroGrad();
        assertArrayEquals(new double[] {0, 0, 0}, x.grad().toDoubleArray(), 0);
        x.setGrad(null);
        assertNull(x.grad());
    }

    @Test
    void zeroGradIsWrittenOverByTheNextBackwardAndReadsAsZerosBefore() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = leaf(4, 5);
        x.mul(x).sum().add(y.sum()).backward();
        Tensor xGrad = x.grad();
        x.zeroGrad();
        y.zeroGrad();
        assertArrayEquals(new double[] {0, 0}, y.grad().toDoubleArray(), 0, "read before a backward: zeros");
        x.mul(3.0).sum().backward(); // reaches x only: y keeps its zeros
        assertSame(xGrad, x.grad(), "the same storage, written over");
        assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray(), 0, "not added to the old gradient");
        assertArrayEquals(new double[] {0, 0}, y.grad().toDoubleArray(), 0);
        x.mul(x).sum().backward(); // no zeroGrad in between: adds
        assertArrayEquals(new double[] {5, 7, 9}, x.grad().toDoubleArray(), 0);
        x.zeroGrad();
        x.setGrad(null);
        assertNull(x.grad(), "setGrad(null) after zeroGrad drops it");
    }

    @Test
    void reusedTensorSumsGradientsFromEveryPath() {
        Tensor x = leaf(2);
        Tensor y = x.mul(x).add(x.exp()).add(x); // dy/dx = 2x + e^x + 1
        y.backward();
        assertEquals(4 + Math.exp(2) + 1, x.grad().item(), 1e-12);
    }

    @Test
    void secondBackwardWithoutRetainGraphFailsClearly() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void retainGraphAllowsSecondBackward() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward(Tensor.of(new double[] {1}), true);
        y.backward(Tensor.of(new double[] {1}), true);
        assertEquals(2 * Math.exp(1), x.grad().toDoubleArray()[0], 1e-12);
    }

    @Test
    void nonLeafGradientsAreKeptOnlyWhenAsked() {
        Tensor x = leaf(1, 2);
        Tensor h = x.mul(3.0);
        Tensor k = x.mul(2.0).retainGrad();
        h.add(k).sum().backward();
        assertNull(h.grad());
        assertArrayEquals(new double[] {1, 1}, k.grad().toDoubleArray(), 0);
    }

    @Test
    void hooksObserveAndReplaceGradients() {
        Tensor x = leaf(1, 2);
        List<double[]> seen = new ArrayList<>();
        Tensor h = x.mul(2.0);
        h.registerHook(g -> {
            seen.add(g.toDoubleArray());
            return null;
        });
        x.registerHook(g -> g.mul(10.0));
        h.sum().backward();
        assertArrayEquals(new double[] {1, 1}, seen.get(0), 0);
        assertArrayEquals(new double[] {20, 20}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor x = leaf(1, 2);
        Tensor y;
        try (GradMode ng = GradMode.noGrad()) {
            y = x.mul(2.0);
        }
        assertFalse(y.requiresGrad());
        assertTrue(x.mul(2.0).requiresGrad());
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = leaf(3);
        Tensor y = x.mul(x.detach());
        y.backward();
        assertEquals(3, x.grad().item(), 0);
    }

    @Test
    void backwardOnNonScalarNeedsUpstream() {
        Tensor x = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.mul(2.0).backward());
        assertTrue(e.getMessage().contains("one-element"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> x.mul(2.0).backward(Tensor.of(new double[] {1, 1, 1}, 3)));
        assertTrue(e2.getMessage().contains("[3]") && e2.getMessage().contains("[2]"), e2.getMessage());
    }

    @Test
    void veryLongGraphDoesNotOverflowTheStack() {
        Tensor x = leaf(1);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) {
            y = y.add(0.0);
        }
        y.backward();
        assertEquals(1, x.grad().item(), 0);
    }

    @Test
    void broadcastGradientIsSummedBackToTheInputShape() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {10, 20, 30}, 3).requiresGrad(true);
        a.mul(b).sum().backward();
        assertArrayEquals(new double[] {5, 7, 9}, b.grad().toDoubleArray(), 0);
        assertArrayEquals(new int[] {3}, b.grad().shape());
    }

    @Test
    void mixedDevicesAndDtypesAreRefusedClearly() {
        Tensor a = Tensor.of(new double[] {1, 2}, 2);
        Tensor f = Tensor.of(new float[] {1, 2}, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(f));
        assertTrue(e.getMessage().contains("float64") && e.getMessage().contains("float32"), e.getMessage());
        IllegalArgumentException s = assertThrows(IllegalArgumentException.class,
                () -> a.add(Tensor.of(new double[] {1, 2, 3}, 3)));
        assertTrue(s.getMessage().contains("[2]") && s.getMessage().contains("[3]"), s.getMessage());
    }

    @Test
    void mpsDeviceIsRefusedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("mps"));
        assertTrue(e.getMessage().contains("not supported on this platform"), e.getMessage());
    }

    @Test
    void anomalyModeNamesTheOpAndLayerOfTheFirstNonFiniteValue() {
        Tensor x = Tensor.of(new double[] {1, 0}, 2).requiresGrad(true);
        org.gradlab.engine.autograd.Autograd.setAnomalyDetection(true);
        try (org.gradlab.engine.autograd.Autograd.ScopeHandle s = org.gradlab.engine.autograd.Autograd.scope("features.3")) {
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> x.log());
            assertTrue(e.getMessage().contains("Log") && e.getMessage().contains("features.3")
                    && e.getMessage().contains("-Infinity"), e.getMessage());
            Tensor y = x.sqrt().sum(); // forward finite; d sqrt/dx at 0 is infinite
            ArithmeticException b = assertThrows(ArithmeticException.class, y::backward);
            assertTrue(b.getMessage().contains("Sqrt") && b.getMessage().contains("gradient"), b.getMessage());
        } finally {
            org.gradlab.engine.autograd.Autograd.setAnomalyDetection(false);
        }
        x.log(); // off again: no check
    }

    /** explain prints what a listener sees: each leaf's accumulation must come right after the node that produced it. */
    @Test
    void listenersSeeEachLeafAccumulationUnderTheNodeThatProducedIt() {
        Tensor w = leaf(1, 2, 3).name("w");
        Tensor b = leaf(0.5).name("b");
        Tensor x = Tensor.of(new double[] {4, 5, 6}, 3);
        Tensor loss = w.mul(x).sum().add(b).exp(); // nodes in backward order: exp, add (-> b), sum, mul (-> w)
        List<String> events = new ArrayList<>();
        org.gradlab.engine.autograd.Autograd.BackwardListener l = new org.gradlab.engine.autograd.Autograd.BackwardListener() {
            @Override
            public void onNode(org.gradlab.engine.autograd.Op op, Tensor gradOut, Tensor[] gradIns, int[][] axes) {
                events.add("node " + op.name());
            }

            @Override
            public void onLeaf(Tensor leaf, Tensor grad) {
                events.add("accumulate " + leaf.name());
            }
        };
        org.gradlab.engine.autograd.Autograd.addListener(l);
        try {
            loss.backward();
        } finally {
            org.gradlab.engine.autograd.Autograd.removeListener(l);
        }
        assertEquals(List.of("node Exp", "node Add", "accumulate b", "node Sum", "node Mul", "accumulate w"), events);
    }
}
