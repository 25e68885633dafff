package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.experiments.Experiment;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Functional;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.ArrayDataset;
import org.gradlab.nn.data.Batch;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.transforms.Normalize;
import org.gradlab.nn.data.transforms.Transform;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.lr.CosineAnnealingLR;
import org.gradlab.nn.optim.lr.LRScheduler;

/**
 * Trains one experiment: the study's training loop (forward, cross-entropy, backward, optimizer
 * step; the scheduler stepped once per epoch), every step inside a {@link MemoryScope} so memory
 * stays flat, a checkpoint after every epoch.
 */
public final class ExperimentTrainer {
    /** What training produced. */
    record Trained(Module model, double[] epochSeconds, double trainSeconds, long params, double lastLoss,
                   TrainingHealth health) {}

    private final Experiment exp;
    private final int epochs;
    private final long seed;
    private final Device device;
    private final int workers;
    private final PrintStream log;

    ExperimentTrainer(Experiment exp, int epochs, long seed, Device device, int workers, PrintStream log) {
        this.exp = exp;
        this.epochs = epochs;
        this.seed = seed;
        this.device = device;
        this.workers = workers;
        this.log = log;
    }

    /** A short text that changes whenever the recipe, epochs, seed or data size change. */
    String fingerprint(Split train) {
        return exp.recipe() + "|epochs=" + epochs + "|seed=" + seed + "|n=" + train.n();
    }

    Trained train(MedMnist data, Split train, Module model, Path checkpoint) throws IOException {
        model.to(device);
        model.train();
        Optimizer opt = Recipes.optimizer(exp, model.trainableParameters());
        LRScheduler sched = exp.cosine() ? new CosineAnnealingLR(opt, epochs) : null;
        Tensor weights = null;
        if (exp.classWeights()) {
            try (MemoryScope p = MemoryScope.persistent()) {
                weights = Tensor.of(DType.F32, device, Recipes.classWeights(data.classCounts(train)), data.numClasses());
            }
        }
        DataLoader.Builder b = DataLoader.builder(new ArrayDataset(train.images(), train.labels(), train.h(), train.w(), train.c()))
                .batchSize(exp.batchSize()).shuffle(true).dropLast(false).seed(seed).workers(workers).device(device);
        Transform augment = Recipes.trainTransform(exp.augmentation());
        if (augment != null) {
            b.transform(augment);
        }
        if (exp.augmentation().normalizeTrainOnly()) {
            b.tensorTransforms(new Normalize(Normalize.IMAGENET_MEAN, Normalize.IMAGENET_STD));
        }
        double[] epochSeconds = new double[epochs];
        String fp = fingerprint(train);
        int start = EpochCheckpoint.restore(checkpoint, model, opt, sched, epochSeconds, fp);
        if (start > 0) {
            log.printf("  resuming exp %s after epoch %d/%d (checkpoint %s)%n", exp.id(), start, epochs, checkpoint);
        }
        double lastLoss = Double.NaN;
        TrainingHealth health = new TrainingHealth();
        try (DataLoader loader = b.build()) {
            for (int epoch = start; epoch < epochs; epoch++) {
                EpochProgress progress = new EpochProgress(exp.id(), epoch + 1, epochs, loader.batchesPerEpoch(), log);
                long t0 = System.nanoTime();
                double lossSum = 0;
                int seen = 0;
                int stepIndex = 0;
                int steps = loader.batchesPerEpoch();
                health.startEpoch(model);
                for (Batch batch : loader.epoch(epoch)) {
                    try (batch; MemoryScope step = MemoryScope.open()) {
                        Tensor logits = model.forward(batch.images());
                        Tensor loss = Functional.crossEntropy(logits, batch.labels(), weights, exp.labelSmoothing(), Reduction.MEAN);
                        health.afterForward(batch.images(), loss);
                        opt.zeroGrad();
                        loss.backward();
                        health.afterBackward(model, loss, ++stepIndex == steps);
                        opt.step();
                        double l = loss.item();
                        if (!Double.isFinite(l)) {
                            throw new IllegalStateException("exp " + exp.id() + " epoch " + (epoch + 1)
                                    + ": the loss became " + l + " (diverged); stopping instead of reporting garbage");
                        }
                        lossSum += l * batch.size();
                        seen += batch.size();
                        progress.step(batch.size(), lossSum / seen, opt.paramGroups().get(0).lr());
                    }
                }
                epochSeconds[epoch] = (System.nanoTime() - t0) / 1e9;
                lastLoss = lossSum / Math.max(1, seen);
                health.endEpoch(model, epoch);
                double meanEpoch = Arrays.stream(epochSeconds, start, epoch + 1).average().orElse(0);
                progress.finish(lastLoss, epochSeconds[epoch], meanEpoch * (epochs - epoch - 1));
                if (sched != null) {
                    sched.step();
                }
                EpochCheckpoint.save(checkpoint, model, opt, sched, epoch + 1, epochSeconds, fp);
            }
        }
        double total = Arrays.stream(epochSeconds).sum();
        return new Trained(model, epochSeconds, total, model.parameterCount(), lastLoss, health);
    }

    static void deleteCheckpoint(Path checkpoint) throws IOException {
        Files.deleteIfExists(checkpoint);
    }
}
