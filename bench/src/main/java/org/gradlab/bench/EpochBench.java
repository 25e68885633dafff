package org.gradlab.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.run.StudyModels;
import org.gradlab.challenge.run.StudyRecipes;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.OpProfiler;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.nn.Module;
import org.gradlab.nn.data.ArrayDataset;
import org.gradlab.nn.data.Batch;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.transforms.Transform;
import org.gradlab.nn.optim.Optimizer;

/**
 * Seconds per training epoch of an experiment's recipe (model, optimizer, batch size,
 * augmentation, loss) or of a backbone's ({@link BackboneEpoch}), data loading included: one
 * warm-up epoch, then the median of {@code epochs} timed ones. Also reports, separately, how long the training thread waited
 * for batches and how long the loader alone needs per epoch.
 */
public final class EpochBench {
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    /** The measured figures. */
    public record Result(String expId, String device, int images, int batchSize, double medianSeconds, double[] epochSeconds,
                         double medianWaitSeconds, double loaderOnlySeconds, double[] phaseSeconds) {
        public double imagesPerSecond() {
            return images / medianSeconds;
        }
    }

    private EpochBench() {}

    /**
     * What the timed loop trains: the model (on its device), its optimizer, the loss's class
     * weights (or null) and label smoothing, the batch size, the training images and the image
     * transform applied to each sample (or null).
     */
    record Setup(String id, Module model, Optimizer optimizer, Tensor classWeights, double labelSmoothing, int batch, Split train,
                 Transform augment) {
    }

    /**
     * Times the recipe; with {@code profile}, one more epoch after the timed ones runs under an
     * {@link OpProfiler} and its per-op and per-layer table (milliseconds per step) is printed.
     */
    public static Result run(StudyExperiment e, MedMnist data, Split train, Device device, int epochs, int workers, long seed,
                             boolean profile, PrintStream log) {
        Module model = StudyModels.build(e.model(), train.c(), train.h(), data.numClasses(), new Generator(seed));
        model.to(device);
        Optimizer opt = StudyRecipes.optimizer(e.optimizer(), model.trainableParameters());
        Tensor weights = null;
        double[] w = StudyRecipes.classWeights(e.loss().classWeights(), data.classCounts(train));
        if (w != null) {
            try (MemoryScope p = MemoryScope.persistent()) {
                weights = Tensor.of(DType.F32, device, w, data.numClasses());
            }
        }
        Setup s = new Setup(e.id(), model, opt, weights, e.loss().labelSmoothing(), e.batch(), train,
                StudyRecipes.imageTransform(e.augmentSteps()));
        return time(s, device, epochs, workers, seed, profile, log);
    }

    /** One warm-up epoch, then {@code epochs} timed ones of {@code setup}; see {@link #run}. */
    static Result time(Setup setup, Device device, int epochs, int workers, long seed, boolean profile, PrintStream log) {
        Split train = setup.train();
        Module model = setup.model();
        Optimizer opt = setup.optimizer();
        Tensor weights = setup.classWeights();
        model.train();
        DataLoader.Builder b = DataLoader.builder(new ArrayDataset(train.images(), train.labels(), train.h(), train.w(), train.c()))
                .batchSize(setup.batch()).shuffle(true).seed(seed).workers(workers).device(device);
        if (setup.augment() != null) {
            b.transform(setup.augment());
        }
        List<Double> secs = new ArrayList<>();
        List<Double> waits = new ArrayList<>();
        double[] phases = new double[4]; // forward, backward, optimizer, data wait (last timed epoch)
        // NOTE: the data set (~25 MB of arrays) is copied from survivor space to survivor space by
        // every young collection until it is tenured (about 27 ms per pause here, one per second
        // of exp 01); one full collection now tenures it, as hours of training would anyway
        System.gc();
        try (DataLoader loader = b.build()) {
            for (int ep = 0; ep <= epochs + (profile ? 1 : 0); ep++) {
                boolean profiled = ep > epochs;
                OpProfiler profiler = profiled ? OpProfiler.start() : null;
                long steps = 0;
                double[] ph = new double[4];
                long t0 = System.nanoTime();
                long cpu0 = THREAD_CPU.getCurrentThreadCpuTime(); // what the load of a shared host disturbs least
                long tWait = System.nanoTime();
                for (Batch batch : loader.epoch(ep)) {
                    long t1 = System.nanoTime();
                    ph[3] += (t1 - tWait) / 1e9;
                    try (batch; MemoryScope step = MemoryScope.open()) {
                        OpProfiler.lap();
                        Tensor logits = model.forward(batch.images());
                        Tensor loss = CrossEntropy.apply(logits, batch.labels(), weights, setup.labelSmoothing(), Reduction.MEAN);
                        long t2 = System.nanoTime();
                        opt.zeroGrad();
                        loss.backward();
                        long t3 = System.nanoTime();
                        opt.step();
                        loss.item();
                        long t4 = System.nanoTime();
                        ph[0] += (t2 - t1) / 1e9;
                        ph[1] += (t3 - t2) / 1e9;
                        ph[2] += (t4 - t3) / 1e9;
                    }
                    steps++;
                    tWait = System.nanoTime();
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (profiled) {
                    profiler.close();
                    log.printf("  profiled epoch: %.2f s, %d steps; per step: forward %.2f ms, backward %.2f ms, optimizer %.2f ms, "
                            + "waiting for data %.2f ms%n", s, steps, 1e3 * ph[0] / steps, 1e3 * ph[1] / steps, 1e3 * ph[2] / steps,
                            1e3 * ph[3] / steps);
                    log.printf("  op times below: %s clock of the training thread (-Dgradlab.profileClock=cpu|wall)%n",
                            profiler.clock().name().toLowerCase(java.util.Locale.ROOT));
                    log.print(profiler.table(steps));
                    continue;
                }
                log.printf("  epoch %d%s: %.2f s (forward %.2f, backward %.2f, optimizer %.2f, waiting for data %.2f; "
                        + "training thread CPU %.2f s)%n", ep, ep == 0 ? " (warm-up)" : "", s, ph[0], ph[1], ph[2], ph[3],
                        (THREAD_CPU.getCurrentThreadCpuTime() - cpu0) / 1e9);
                if (org.gradlab.engine.backend.Backends.of(device) instanceof org.gradlab.engine.backend.cuda.CudaBackend cuda) {
                    log.println("    device memory: " + cuda.memoryStats()); // flat from epoch to epoch = no leak
                }
                if (ep > 0) {
                    secs.add(s);
                    waits.add(ph[3]);
                    phases = ph;
                }
            }
            long l0 = System.nanoTime();
            for (Batch batch : loader.epoch(epochs + 1)) {
                batch.close();
            }
            double loaderOnly = (System.nanoTime() - l0) / 1e9;
            double[] s = secs.stream().mapToDouble(Double::doubleValue).toArray();
            return new Result(setup.id(), device.toString(), train.n(), setup.batch(), median(s), s,
                    median(waits.stream().mapToDouble(Double::doubleValue).toArray()), loaderOnly, phases);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
