package org.gradlab.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.ReLU;
import org.gradlab.nn.layers.Sequential;
import org.junit.jupiter.api.Test;

class ModuleTest {
    private static Sequential small() {
        Generator g = new Generator(3);
        return new Sequential(new Conv2d(3, 4, 3, 1, 1, 1, true, g), new BatchNorm2d(4), new ReLU(),
                new Sequential(new Linear(5, 2, g)));
    }

    @Test
    void stateDictNamesAndOrderFollowPyTorch() {
        Sequential m = small();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "3.0.weight", "3.0.bias"), List.copyOf(m.stateDict().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.0.weight", "3.0.bias"),
                List.copyOf(m.namedParameters().keySet()));
        assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"), List.copyOf(m.namedBuffers().keySet()));
        assertEquals(4 * 3 * 9 + 4 + 4 + 4 + 10 + 2, m.parameterCount());
        assertArrayEquals(new int[] {4, 3, 3, 3}, m.stateDict().get("0.weight").shape());
        assertEquals(0, m.stateDict().get("1.num_batches_tracked").dim());
    }

    @Test
    void strictLoadReportsMissingUnexpectedAndMismatchedKeys() {
        Sequential m = small();
        Map<String, Tensor> sd = new LinkedHashMap<>(m.stateDict());
        sd.remove("0.bias");
        sd.put("extra.weight", Tensor.zeros(2));
        sd.put("3.0.weight", Tensor.zeros(3, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(sd, true));
        assertTrue(e.getMessage().contains("missing keys: [0.bias]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected keys: [extra.weight]"), e.getMessage());
        assertTrue(e.getMessage().contains("3.0.weight: checkpoint [3,5] vs model [2,5]"), e.getMessage());
        // non-strict still refuses shape mismatches, but accepts missing/unexpected keys
        assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(sd, false));
        sd.put("3.0.weight", Tensor.full(DType.F32, org.gradlab.engine.Device.CPU, 0.5, 2, 5));
        Module.LoadResult r = m.loadStateDict(sd, false);
        assertEquals(List.of("0.bias"), r.missingKeys());
        assertEquals(List.of("extra.weight"), r.unexpectedKeys());
    }

    @Test
    void loadCopiesInPlaceAndKeepsIdentity() {
        Sequential a = small();
        Tensor w = a.stateDict().get("0.weight");
        Map<String, Tensor> src = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> src.put(k, Tensor.full(DType.F64, org.gradlab.engine.Device.CPU, 0.25,
                v.shape())));
        src.put("1.num_batches_tracked", Tensor.of(new double[] {7}, 1));
        a.loadStateDict(src);
        assertSame(w, a.stateDict().get("0.weight"));
        assertEquals(0.25, w.toDoubleArray()[5], 0);
        assertEquals(7, ((BatchNorm2d) a.get(1)).numBatchesTracked());
        assertTrue(w.requiresGrad());
    }

    @Test
    void trainEvalFreezeAndDtype() {
        Sequential m = small();
        assertTrue(m.isTraining());
        m.eval();
        assertFalse(m.get(1).isTraining());
        assertFalse(((Sequential) m.get(3)).get(0).isTraining());
        m.train();
        assertTrue(m.get(3).isTraining());
        m.get(0).freeze();
        assertEquals(4 + 4 + 10 + 2, m.parameterCount());
        assertEquals(4 * 3 * 9 + 4 + 4 + 4 + 10 + 2, m.totalParameterCount());
        assertFalse(m.stateDict().get("0.weight").requiresGrad());
        double before = m.stateDict().get("0.weight").toDoubleArray()[3];
        m.to(DType.F64);
        assertEquals(DType.F64, m.stateDict().get("0.weight").dtype());
        assertEquals(DType.F64, m.stateDict().get("1.running_var").dtype());
        assertEquals(before, m.stateDict().get("0.weight").toDoubleArray()[3], 0);
        assertFalse(m.stateDict().get("0.weight").requiresGrad(), "frozen stays frozen after to(dtype)");
        assertTrue(m.stateDict().get("3.0.weight").requiresGrad());
    }

    @Test
    void replacingAChildKeepsItsPosition() {
        Sequential m = small();
        m.set(0, new Conv2d(3, 4, 3, 1, 1, 1, false, new Generator(1)));
        assertEquals("1.weight", List.copyOf(m.stateDict().keySet()).get(1));
        assertThrows(IllegalArgumentException.class, () -> m.registerModule("a.b", new ReLU()));
    }
}
