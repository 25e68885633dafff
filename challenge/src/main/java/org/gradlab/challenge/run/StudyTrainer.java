package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import com.fasterxml.jackson.core.type.TypeReference;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.metrics.ClassificationMetrics;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.Functional;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.Batch;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.transforms.TensorTransform;
import org.gradlab.nn.data.transforms.Transform;
import org.gradlab.nn.data.mix.MixedBatch;
import org.gradlab.nn.optim.GradClipping;
import org.gradlab.nn.optim.Optimizer;
import org.gradlab.nn.optim.lr.LRScheduler;

/**
 * Trains one study experiment: per step forward, cross-entropy (class weights, label smoothing; Mixup/CutMix when
 * set), backward, gradient clipping, optimizer step; per epoch the validation loss, AUC, accuracy and balanced
 * accuracy, the schedule's step, early stopping on the monitored value, and — with {@code select: best} — the best
 * epoch's weights kept in {@code bestFile} and restored at the end. Every epoch ends with a checkpoint (model,
 * optimizer, schedule, dropout generators, the learning curves and early-stopping state) so an interrupted run
 * continues exactly where it stopped.
 *
 * <p>A step whose loss or gradient is not finite ends the experiment with {@link ExperimentDiverged}, naming the
 * first op and layer that went non-finite ({@link DivergenceLocator}; the checks are on values computed anyway).
 */
final class StudyTrainer {
    /** What training produced; {@code bestEpoch} is 1-based, {@code history} one row per epoch run. */
    record Trained(double[] epochSeconds, double trainSeconds, long params, List<EpochRecord> history, int bestEpoch,
                   boolean stoppedEarly, TrainingHealth health) {}

    private final StudyExperiment exp;
    private final int epochs;
    private final long seed;
    private final Device device;
    private final int workers;
    private final PrintStream log;

    StudyTrainer(StudyExperiment exp, long seed, Device device, int workers, PrintStream log) {
        this.exp = exp;
        this.epochs = exp.epochs();
        this.seed = seed;
        this.device = device;
        this.workers = workers;
        this.log = log;
    }

    /** A text that changes whenever the settings, seed or training-set size change (checkpoints of another recipe are ignored). */
    String fingerprint(Split train) {
        return exp.settings().values() + "|seed=" + seed + "|n=" + train.n();
    }

    /**
     * Trains from scratch, or from {@code checkpoint} when it holds finished epochs of this recipe; a checkpoint is
     * written after every epoch.
     */
    Trained train(StudyData data, Split train, Module model, Path bestFile, Path checkpoint) throws IOException {
        model.to(device);
        model.train();
        Optimizer opt = StudyRecipes.optimizer(exp.optimizer(), model.trainableParameters());
        int c = train.c();
        DataLoader.Builder b = DataLoader.builder(train.dataset())
                .batchSize(exp.batch()).shuffle(true).dropLast(false).seed(seed).workers(workers).device(device);
        org.gradlab.nn.data.Sampler sampler = ClinicalTraining.sampler(exp, train, data.numClasses(), seed);
        if (sampler != null) {
            b.shuffle(false).sampler(sampler);
        }
        int batches = ((sampler != null ? sampler.length() : train.n()) + exp.batch() - 1) / exp.batch();
        LRScheduler sched = StudyRecipes.schedule(exp.schedule(), opt, epochs, batches);
        boolean perBatch = StudyRecipes.stepsPerBatch(exp.schedule());
        Tensor weights = null;
        double[] w = StudyRecipes.classWeights(exp.loss().classWeights(), data.classCounts(train));
        if (w != null) {
            try (MemoryScope p = MemoryScope.persistent()) {
                weights = Tensor.of(DType.F32, device, w, data.numClasses());
            }
        }
        Tensor lossWeights = weights;
        Transform augment = StudyRecipes.imageTransform(exp.augmentSteps());
        if (augment != null) {
            b.transform(augment);
        }
        TensorTransform[] tensorSteps = StudyRecipes.tensorTransforms(exp.input().normalize(), exp.augmentSteps(), c);
        if (tensorSteps.length > 0) {
            b.tensorTransforms(tensorSteps);
        }
        float[][] evalNorm = data.evaluationNormalization(exp.input().normalize());
        StudyMix mixer = new StudyMix(exp.mix());
        double smoothing = exp.loss().labelSmoothing();
        double[] epochSeconds = new double[epochs];
        List<EpochRecord> history = new ArrayList<>();
        TrainingHealth health = new TrainingHealth();
        String monitor = exp.earlyStopping().monitor();
        Integer patience = exp.earlyStopping().patience();
        double best = Double.NaN;
        int bestEpoch = 0;
        int sinceBest = 0;
        boolean stopped = false;
        String fp = fingerprint(train);
        int start = EpochCheckpoint.restore(checkpoint, model, opt, sched, epochSeconds, fp);
        if (start > 0) {
            Map<String, String> state = EpochCheckpoint.extra(checkpoint);
            history.addAll(SavedModel.JSON.readValue(state.get("history"), new TypeReference<List<EpochRecord>>() {}));
            best = Double.parseDouble(state.get("best"));
            bestEpoch = Integer.parseInt(state.get("best_epoch"));
            sinceBest = Integer.parseInt(state.get("since_best"));
            log.printf("  resuming exp %s after epoch %d/%d (checkpoint %s)%n", exp.id(), start, epochs, checkpoint);
        }
        int ran = start;
        try (DataLoader loader = b.build()) {
            for (int epoch = start; epoch < epochs; epoch++) {
                EpochProgress progress = new EpochProgress(exp.id(), epoch + 1, epochs, loader.batchesPerEpoch(), log);
                long t0 = System.nanoTime();
                double lossSum = 0;
                int seen = 0;
                double correct = 0;
                int stepIndex = 0;
                int steps = loader.batchesPerEpoch();
                double lr = opt.paramGroups().get(0).lr();
                Generator mixRng = new Generator(DataLoader.shuffleSeed(seed ^ 0x6d6978L, epoch));
                health.startEpoch(model);
                try {
                    for (Batch batch : loader.epoch(epoch)) {
                        try (batch; MemoryScope step = MemoryScope.open()) {
                            int[] labels = batch.labels();
                            MixedBatch mixed = mixer.apply(batch.images(), labels, data.numClasses(), mixRng);
                            Tensor images = mixed != null ? mixed.images() : batch.images();
                            int at = stepIndex + 1;
                            Supplier<Tensor> replay = () -> stepLoss(model, images, labels, mixed, lossWeights, smoothing).loss();
                            StepLoss s;
                            double l;
                            try {
                                s = stepLoss(model, images, labels, mixed, lossWeights, smoothing);
                                health.afterForward(images, s.loss());
                                l = s.loss().item();
                                if (!Double.isFinite(l)) {
                                    throw diverged(DivergenceLocator.locate(model, opt, replay, epoch + 1, at,
                                            "the loss became " + l), history, epochSeconds, epoch, t0, model);
                                }
                                opt.zeroGrad();
                                s.loss().backward();
                                String badGradient = health.afterBackward(model, s.loss(), ++stepIndex == steps);
                                if (badGradient != null) {
                                    throw diverged(DivergenceLocator.locate(model, opt, replay, epoch + 1, at,
                                            "the gradient of " + badGradient + " became non-finite"), history, epochSeconds,
                                        epoch, t0, model);
                                }
                            } catch (ArithmeticException anomaly) { // anomaly detection on for the whole run (--detect-anomaly)
                                throw diverged(DivergenceLocator.fromAnomaly(epoch + 1, at, "anomaly detection stopped the step",
                                        anomaly), history, epochSeconds, epoch, t0, model);
                            }
                            if (exp.clipGradNorm() != null) {
                                GradClipping.clipGradNorm(model.trainableParameters(), exp.clipGradNorm());
                            }
                            opt.step();
                            if (perBatch && sched != null) {
                                sched.step();
                            }
                            correct += correct(s.logits(), s.targets()) / (double) s.masks();
                            lossSum += l * batch.size();
                            seen += batch.size();
                            progress.step(batch.size(), lossSum / seen, opt.paramGroups().get(0).lr());
                        }
                    }
                } catch (ExperimentDiverged d) {
                    progress.abandon();
                    throw d;
                }
                epochSeconds[epoch] = (System.nanoTime() - t0) / 1e9;
                health.endEpoch(model, epoch);
                double meanEpoch = Arrays.stream(epochSeconds, start, epoch + 1).average().orElse(0);
                double trainLoss = lossSum / Math.max(1, seen);
                progress.finish(trainLoss, epochSeconds[epoch], meanEpoch * (epochs - epoch - 1));
                if (sched != null && !perBatch) {
                    sched.step();
                }
                EpochRecord r = validate(model, data, epoch + 1, trainLoss, (double) correct / Math.max(1, seen), lr,
                        epochSeconds[epoch], evalNorm);
                history.add(r);
                ran = epoch + 1;
                log.printf("  epoch %d: val loss %.4f, AUC %.4f, acc %.3f, balanced acc %.3f%n", r.epoch(), r.valLoss(),
                        r.valAuc(), r.valAccuracy(), r.valBalancedAccuracy());
                if (EpochRecord.improves(monitor, r.monitored(monitor), best) || bestEpoch == 0) {
                    best = r.monitored(monitor);
                    bestEpoch = epoch + 1;
                    sinceBest = 0;
                    if (exp.select().equals("best")) {
                        SavedModel.saveWeights(bestFile, model);
                    }
                } else if (patience != null && ++sinceBest >= patience) {
                    log.printf("  early stopping: %s has not improved for %d epochs (best %.4f at epoch %d)%n", monitor,
                            patience, best, bestEpoch);
                    stopped = true;
                    break;
                }
                EpochCheckpoint.save(checkpoint, model, opt, sched, epoch + 1, epochSeconds, fp, Map.of(
                        "history", SavedModel.JSON.writeValueAsString(history), "best", Double.toString(best),
                        "best_epoch", Integer.toString(bestEpoch), "since_best", Integer.toString(sinceBest)));
            }
        }
        if (exp.select().equals("best") && bestEpoch < ran) {
            SavedModel.loadWeights(bestFile, model);
            log.printf("  restored the weights of epoch %d (best %s %.4f)%n", bestEpoch, monitor, best);
        }
        double[] secs = Arrays.copyOf(epochSeconds, ran);
        return new Trained(secs, Arrays.stream(secs).sum(), model.parameterCount(), history,
                exp.select().equals("best") ? bestEpoch : ran, stopped, health);
    }

    /** One step's forward pass: the logits, the targets (labels tiled for multi-sample dropout) and the mean loss. */
    private record StepLoss(Tensor logits, Tensor loss, int[] targets, int masks) {}

    /** Forward and cross-entropy (class weights, label smoothing; the Mixup/CutMix blend of both targets when mixed). */
    private static StepLoss stepLoss(Module model, Tensor images, int[] labels, MixedBatch mixed, Tensor weights,
                                     double smoothing) {
        Tensor logits = model.forward(images);
        // multi-sample dropout scores `masks` copies of the batch: their targets are the labels tiled
        int masks = logits.shape()[0] / labels.length;
        int[] targets = ClinicalTraining.tile(labels, masks);
        Tensor loss = Functional.crossEntropy(logits, targets, weights, smoothing, Reduction.MEAN);
        if (mixed != null) {
            int[] partner = new int[labels.length];
            for (int i = 0; i < labels.length; i++) {
                partner[i] = labels[mixed.perm()[i]];
            }
            loss = loss.mul(mixed.lambda()).add(Functional.crossEntropy(logits, ClinicalTraining.tile(partner, masks),
                    weights, smoothing, Reduction.MEAN).mul(1 - mixed.lambda()));
        }
        return new StepLoss(logits, loss, targets, masks);
    }

    /** The failure of this experiment: the epochs finished so far and the training time including the failed epoch. */
    private ExperimentDiverged diverged(Divergence d, List<EpochRecord> history, double[] epochSeconds, int epoch, long t0,
                                        Module model) {
        double seconds = Arrays.stream(epochSeconds, 0, epoch).sum() + (System.nanoTime() - t0) / 1e9;
        return new ExperimentDiverged(exp.id(), d, history, seconds, model.parameterCount());
    }

    private EpochRecord validate(Module model, StudyData data, int epoch, double trainLoss, double trainAcc, double lr,
                                 double seconds, float[][] norm) {
        Split val = data.val();
        double[][] probs = Evaluation.probabilities(model, val, device, norm[0], norm[1]);
        ClassificationMetrics m = ClassificationMetrics.compute(probs, val.labels(), data.numClasses(), null);
        double nll = 0;
        for (int i = 0; i < probs.length; i++) {
            nll -= Math.log(Math.max(probs[i][val.labels()[i]], 1e-12));
        }
        double auc = data.numClasses() == 2 ? StudyScores.positiveAuc(probs, val.labels()) : m.macroAuc();
        return new EpochRecord(epoch, trainLoss, trainAcc, nll / Math.max(1, probs.length), auc, m.accuracy(),
                m.balancedAccuracy(), lr, seconds);
    }

    private static int correct(Tensor logits, int[] labels) {
        double[] v = logits.toDoubleArray();
        int k = v.length / labels.length;
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            int arg = 0;
            for (int j = 1; j < k; j++) {
                if (v[i * k + j] > v[i * k + arg]) {
                    arg = j;
                }
            }
            ok += arg == labels[i] ? 1 : 0;
        }
        return ok;
    }
}
