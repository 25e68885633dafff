package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.nn.Module;
import org.gradlab.nn.optim.SGD;
import org.junit.jupiter.api.Test;

/** The replay with anomaly detection names the op and layer of a non-finite gradient or output. */
class DivergenceLocatorTest {
    /** sqrt(x * w) in a layer named "act": finite forward at w = 0, infinite gradient (d sqrt(u)/du = 1/(2 sqrt(u))). */
    static final class SqrtOfScaled extends Module {
        SqrtOfScaled(double... w) {
            try (MemoryScope p = MemoryScope.persistent()) {
                registerParameter("w", Tensor.of(DType.F32, Device.CPU, w, w.length));
            }
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(param("w")).sqrt();
        }
    }

    static final class Root extends Module {
        private final Module act;

        Root(double... w) {
            act = registerModule("act", new SqrtOfScaled(w));
        }

        @Override
        public Tensor forward(Tensor x) {
            return act.call(x);
        }
    }

    private static final Tensor X = Tensor.of(DType.F32, Device.CPU, new double[] {1, 2}, 2);

    @Test
    void aNonFiniteGradientIsTracedToTheOpAndLayerThatProducedIt() {
        Root m = new Root(0, 0);
        SGD opt = new SGD(m.trainableParameters(), 0.1);
        Divergence d = DivergenceLocator.locate(m, opt, () -> m.forward(X).sum(), 2, 7, "the gradient of act.w became non-finite");
        assertEquals("Sqrt", d.op(), d.toString());
        assertEquals("act", d.layer());
        assertEquals("backward", d.phase());
        assertEquals("diverged at epoch 2, batch 7: the gradient of act.w became non-finite; first non-finite value in the "
                + "backward gradient of Sqrt in layer act", d.reason());
        assertFalse(Autograd.isAnomalyDetection(), "anomaly detection is off again after the replay");
        Tensor g = m.namedParameters().get("act.w").grad();
        assertTrue(g == null || java.util.Arrays.stream(g.toDoubleArray()).allMatch(v -> v == 0), "the replay's gradients are zeroed");
    }

    @Test
    void nonFiniteWeightsAreNamedAndTheFirstNonFiniteOutputFound() {
        Root m = new Root(Double.NaN, 1);
        SGD opt = new SGD(m.trainableParameters(), 0.1);
        Divergence d = DivergenceLocator.locate(m, opt, () -> m.forward(X).sum(), 1, 1, "the loss became NaN");
        assertEquals("Mul", d.op(), d.toString());
        assertEquals("forward", d.phase());
        assertEquals("act", d.layer());
        assertTrue(d.symptom().contains("the weights of act.w were already non-finite"), d.symptom());
    }

    @Test
    void aReplayThatStaysFiniteNamesNoOpAndSaysWhy() {
        Root m = new Root(1, 1);
        SGD opt = new SGD(m.trainableParameters(), 0.1);
        Divergence d = DivergenceLocator.locate(m, opt, () -> m.forward(X).sum(), 1, 3, "the loss became NaN");
        assertNull(d.op());
        assertTrue(d.reason().endsWith("no op named (replayed with anomaly detection, the batch stayed finite (new dropout masks))"),
                d.reason());
    }

    @Test
    void anotherArithmeticErrorIsNotTakenForADivergence() {
        ArithmeticException other = new ArithmeticException("/ by zero");
        assertSame(other, assertThrows(ArithmeticException.class, () -> DivergenceLocator.fromAnomaly(1, 1, "x", other)));
    }
}
