package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.report.ChannelStats;
import org.gradlab.challenge.report.HealthRow;
import org.gradlab.challenge.report.SavedForBackward;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.inspect.SavedTensorLedger;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.Module;
import org.gradlab.nn.layers.AdaptiveAvgPool2d;
import org.gradlab.nn.layers.BatchNorm2d;
import org.gradlab.nn.layers.Conv2d;
import org.gradlab.nn.layers.Flatten;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.MaxPool2d;
import org.gradlab.nn.layers.ReLU;
import org.gradlab.nn.layers.Sequential;
import org.gradlab.nn.models.ChallengeModels.FeaturesClassifier;
import org.gradlab.nn.optim.Adam;
import org.junit.jupiter.api.Test;

/** One real training step of the exp 08 model through the health recorder. */
class TrainingHealthTest {
    @Test
    void oneStepOfTheBatchNormModel() {
        Module model = StudyModels.build(BundledStudies.get("dermamnist-25").get("08").model(), 3, 28, 7, new Generator(3));
        Tensor x = Tensor.uniform(new Generator(4), 0, 1, DType.F32, Device.CPU, 4, 3, 28, 28);
        int[] y = {0, 1, 5, 6};
        TrainingHealth health = new TrainingHealth();
        SavedTensorLedger ledger = oneStep(model, x, y, health);

        SavedForBackward saved = health.saved();
        assertEquals(4, saved.batch());
        assertEquals(ledger.peakBytes(), saved.peakBytes());
        assertEquals(ledger.totalBytes(), saved.sumOverOps());
        assertTrue(saved.peakBytes() <= saved.sumOverOps(), "shared tensors count once in the peak");
        List<SavedForBackward.Layer> layers = saved.layers();
        assertEquals(ledger.perLayer().keySet().stream().toList(), layers.stream().map(SavedForBackward.Layer::name).toList());
        assertEquals(List.of("features.0", "features.1", "features.3"), layers.stream().limit(3).map(SavedForBackward.Layer::name).toList());
        assertEquals(ledger.perLayer().get("features.0"), layers.get(0).bytes());
        assertTrue(layers.get(0).bytes() >= 4L * 3 * 28 * 28 * Float.BYTES, "conv 0 keeps its input");
        assertTrue(layers.get(1).ops().contains("BatchNormRelu"), "features.1 is batch norm then ReLU: " + layers.get(1));

        Tensor other = CrossEntropy.apply(model.forward(x), y, null, 0, Reduction.MEAN);
        health.afterForward(x, other);
        assertSame(saved, health.saved(), "the ledger is taken once, on the run's first step");

        List<HealthRow> rows = health.rows();
        assertEquals(List.of("features.1", "features.5", "features.9"),
                rows.stream().filter(r -> r.part().equals("ReLU")).map(HealthRow::layer).toList(), "forward order");
        for (HealthRow r : rows) {
            if (r.part().equals("ReLU")) {
                assertTrue(r.deadRelu() > 0.2 && r.deadRelu() < 0.8, r + ": after BatchNorm about half are 0");
                assertTrue(r.reluRms() > 0.3 && r.reluRms() < 1.5, r + ": BatchNorm output ~N(0,1), ReLU RMS ~0.7");
            }
        }
        HealthRow mean = row(rows, "features.1.running_mean");
        assertEquals(1.0, mean.bnDrift(), 1e-12, "a running mean that starts at 0 has drifted by exactly 1");
        HealthRow conv = row(rows, "features.0.weight");
        assertTrue(conv.gradNorm() > 0 && conv.updateRatio() > 0 && conv.updateRatio() < 0.1, conv.toString());

        ChannelStats in = health.trainInputs();
        for (int c = 0; c < 3; c++) {
            assertEquals(0.5, in.mean()[c], 0.01, "uniform(0,1) inputs");
            assertEquals(Math.sqrt(1 / 12.0), in.std()[c], 0.01);
        }
    }

    /**
     * Exp 08 as built (BatchNorm2d then ReLU in one op) against the same weights in the two-layer
     * form (BatchNorm2d, ReLU): the same state-dict names, every gradient and every health row
     * bit for bit; the ReLU rows are the same three, named after the batch-norm layers.
     */
    @Test
    void batchNormThenReluInOneOpReportsWhatTheTwoLayersDid() {
        Module fused = StudyModels.build(BundledStudies.get("dermamnist-25").get("08").model(), 3, 28, 7, new Generator(3));
        Module pair = twoLayerExp08(new Generator(9));
        assertEquals(List.copyOf(fused.stateDict().keySet()), List.copyOf(pair.stateDict().keySet()));
        pair.loadStateDict(fused.stateDict());
        Tensor x = Tensor.uniform(new Generator(4), 0, 1, DType.F32, Device.CPU, 4, 3, 28, 28);
        int[] y = {0, 1, 5, 6};
        TrainingHealth fusedHealth = new TrainingHealth();
        oneStep(fused, x, y, fusedHealth);
        TrainingHealth pairHealth = new TrainingHealth();
        oneStep(pair, x, y, pairHealth);
        for (var e : fused.namedParameters().entrySet()) {
            assertArrayEquals(pair.namedParameters().get(e.getKey()).toDoubleArray(), e.getValue().toDoubleArray(),
                    e.getKey() + " after one Adam step");
        }
        Map<String, String> reluNames = Map.of("features.2", "features.1", "features.6", "features.5",
                "features.10", "features.9");
        List<HealthRow> renamed = pairHealth.rows().stream().map(r -> !r.part().equals("ReLU") ? r
                : HealthRow.relu(r.epoch(), reluNames.get(r.layer()), r.deadRelu(), r.reluRms())).toList();
        assertEquals(3, renamed.stream().filter(r -> r.part().equals("ReLU")).count());
        assertEquals(renamed, fusedHealth.rows());
    }

    private static Module twoLayerExp08(Generator g) {
        Sequential f = new Sequential();
        int in = 3;
        for (int c : new int[] {32, 64, 128}) {
            f.add(new Conv2d(in, c, 3, 1, 1, 1, true, g)).add(new BatchNorm2d(c)).add(new ReLU()).add(new MaxPool2d(2));
            in = c;
        }
        f.add(new AdaptiveAvgPool2d(1));
        return new FeaturesClassifier(f, new Sequential(new Flatten(), new Linear(128, 7, g)));
    }

    /** One Adam step of {@code model} recorded by {@code health} as the last of epoch 0; returns the step's ledger. */
    private static SavedTensorLedger oneStep(Module model, Tensor x, int[] y, TrainingHealth health) {
        model.train();
        Adam opt = new Adam(model.trainableParameters(), 1e-3);
        health.startEpoch(model);
        Tensor loss = CrossEntropy.apply(model.forward(x), y, null, 0, Reduction.MEAN);
        SavedTensorLedger ledger = SavedTensorLedger.of(loss);
        health.afterForward(x, loss);
        opt.zeroGrad();
        loss.backward();
        health.afterBackward(model, loss, true);
        opt.step();
        health.endEpoch(model, 0);
        return ledger;
    }

    @Test
    void relativeChangeAndDrift() {
        double[] a = {3, 4};
        double[] b = {3, 5};
        assertEquals(0.2, TrainingHealth.relativeChange(a, b), 1e-12);
        assertEquals(1 / Math.sqrt(34), TrainingHealth.drift(a, b), 1e-12);
        assertEquals(1.0, TrainingHealth.drift(new double[] {0, 0}, new double[] {0.1, 0}), 1e-12);
        assertEquals(0.0, TrainingHealth.drift(new double[] {0, 0}, new double[] {0, 0}));
    }

    @Test
    void evaluationInputsAreToTensorScaled() {
        byte[] img = new byte[2 * 2 * 2 * 3];
        for (int i = 0; i < img.length; i += 3) {
            img[i] = (byte) 255; // red = 1
            img[i + 1] = (byte) ((i / 3) % 2 == 0 ? 0 : 255); // green alternates 0, 1
        }
        ChannelStats s = InputStatistics.ofEvaluationInputs(new org.gradlab.challenge.data.Split("val", img, new int[2], 2, 2, 2, 3));
        assertEquals(List.of(1.0, 0.5, 0.0), java.util.Arrays.stream(s.mean()).boxed().toList());
        assertEquals(List.of(0.0, 0.5, 0.0), java.util.Arrays.stream(s.std()).boxed().toList());
    }

    private static HealthRow row(List<HealthRow> rows, String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
}
