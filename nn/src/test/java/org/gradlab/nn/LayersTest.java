package org.gradlab.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.check.GradCheck;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.Sequential;
import org.gradlab.nn.models.BasicBlock;
import org.gradlab.nn.models.ChallengeModels;
import org.gradlab.nn.models.ResNet;
import org.gradlab.nn.optim.Adam;
import org.junit.jupiter.api.Test;

class LayersTest {
    private static Tensor randn(long seed, DType dt, int... shape) {
        return Tensor.normal(new Generator(seed), 0, 1, dt, Device.CPU, shape);
    }

    @Test
    void batchNormCountsTrainBatchesOnlyAndEvalLeavesStats() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Tensor x = randn(1, DType.F32, 4, 3, 5, 5);
        bn.forward(x);
        bn.forward(x);
        assertEquals(2, bn.numBatchesTracked());
        assertEquals(2.0, bn.stateDict().get("num_batches_tracked").item());
        double[] rm = bn.runningMean().toDoubleArray();
        bn.eval();
        bn.forward(x);
        assertEquals(2, bn.numBatchesTracked());
        assertArrayEquals(rm, bn.runningMean().toDoubleArray());
    }

    @Test
    void dropoutLayerFollowsMode() {
        Dropout d = new Dropout(0.5, new Generator(3));
        Tensor x = Tensor.ones(DType.F64, Device.CPU, 1000);
        double[] y = d.forward(x).toDoubleArray();
        long zeros = java.util.Arrays.stream(y).filter(v -> v == 0).count();
        assertTrue(zeros > 400 && zeros < 600, "zeros " + zeros);
        for (double v : y) assertTrue(v == 0 || v == 2.0);
        d.eval();
        assertArrayEquals(x.toDoubleArray(), d.forward(x).toDoubleArray());
    }

    @Test
    void basicBlockGradCheckFloat64() {
        BasicBlock b = new BasicBlock(2, 3, 2, true, new Generator(5));
        b.to(DType.F64);
        Map<String, Tensor> p = b.namedParameters();
        Tensor x = randn(2, DType.F64, 3, 2, 5, 5).requiresGrad(true);
        GradCheck.Result r = GradCheck.check("basic_block", in -> b.forward(in[0]).sum(), x);
        assertTrue(r.passed(), r.toString());
        assertTrue(p.containsKey("downsample.0.weight"));
    }

    @Test
    void outputShapesOfTheChallengeModels() {
        Tensor x = randn(3, DType.F32, 2, 3, 28, 28);
        for (int id : new int[] {1, 6, 7, 8, 9, 10, 21, 25}) {
            Module m = ChallengeModels.forExperiment(id, new Generator(id));
            assertArrayEquals(new int[] {2, 7}, m.forward(x).shape(), "exp " + id);
        }
    }

    /** Persistent-state rule: params, BN stats and optimizer state survive per-step scopes; loss goes down. */
    @Test
    void trainingStepsInsideMemoryScopesKeepStateAndReduceLoss() {
        Module m = ChallengeModels.exp08BatchNorm(new Generator(7));
        Adam opt = new Adam(m.trainableParameters(), 1e-2);
        Tensor x = randn(4, DType.F32, 8, 3, 28, 28);
        int[] y = {0, 1, 2, 3, 4, 5, 6, 0};
        double first = 0, last = 0;
        for (int step = 0; step < 8; step++) {
            try (MemoryScope s = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = CrossEntropy.apply(m.forward(x), y, null, 0, org.gradlab.engine.Reduction.MEAN);
                loss.backward();
                opt.step();
                last = loss.item();
                if (step == 0) first = last;
            }
        }
        assertTrue(last < first * 0.8, "loss " + first + " -> " + last);
        assertEquals(8, ((BatchNorm2d) m.submodule("features.1")).numBatchesTracked());
        assertEquals(128, m.stateDict().get("features.9.running_var").toDoubleArray().length);
    }

    @Test
    void sequentialAndSubmoduleLookup() {
        ResNet r = ChallengeModels.exp25KitchenSink(new Generator(1));
        assertSame(r.child("layer2").child("0").child("downsample"), r.submodule("layer2.0.downsample"));
        assertThrows(IllegalArgumentException.class, () -> r.submodule("layer9"));
        Sequential s = new Sequential();
        assertEquals(0, s.size());
        assertEquals(List.of(), List.copyOf(s.stateDict().keySet()));
        assertSame(r, r.to(Device.CPU));
    }
}
