package org.gradlab.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gradlab.challenge.cli.ThreadsOption;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Device;
import org.gradlab.engine.backend.DeviceDetection;
import org.gradlab.engine.backend.cpu.Parallel;
import org.gradlab.natives.Blas;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./gradlab bench kernels [filter]}, {@code ./gradlab bench epoch --exp 08} and {@code ./gradlab bench backbones}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Speed measurements (JMH kernels, training epochs).",
        subcommands = {BenchCommand.Kernels.class, BenchCommand.Epoch.class, BenchCommand.CudnnAlgos.class, BenchCommand.Backbones.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = "Run the JMH kernel benchmarks (regex filter over benchmark names; extra JMH options after --), "
                    + "then GFLOP/s, share of the equal GEMM and ns per element computed from the results.")
    static final class Kernels implements Callable<Integer> {
        @Parameters(arity = "0..*", description = "benchmark name filter, then JMH options (e.g. -f 1 -wi 2 -i 3)")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            String[] argv = args.toArray(new String[0]);
            org.openjdk.jmh.runner.options.CommandLineOptions opts = new org.openjdk.jmh.runner.options.CommandLineOptions(argv);
            if (opts.shouldHelp() || opts.shouldList() || opts.shouldListWithParams() || opts.shouldListProfilers()
                    || opts.shouldListResultFormats()) {
                org.openjdk.jmh.Main.main(argv); // JMH's own listings and help
                return 0;
            }
            KernelFigures.print(new org.openjdk.jmh.runner.Runner(opts).run(), System.out);
            return 0;
        }
    }

    @Command(name = "epoch", mixinStandardHelpOptions = true,
            description = "Seconds per training epoch (median after a warm-up), data loading included and shown separately.")
    static final class Epoch implements Callable<Integer> {
        @Option(names = "--exp", defaultValue = "08", description = "experiment whose recipe is timed (default 08)")
        String exp;

        @Option(names = "--device", defaultValue = "auto", description = "auto | cpu | cuda[:N] (default: auto)")
        String device;

        @Option(names = "--epochs", defaultValue = "3", description = "timed epochs after the warm-up (default 3)")
        int epochs;

        @Option(names = "--data", description = "MedMNIST npz (default: DermaMNIST downloaded once, md5-checked, into ~/.cache/gradlab/medmnist)")
        Path data;

        @Option(names = "--limit-train", description = "time on the first N training images")
        Integer limit;

        @Option(names = "--workers", defaultValue = "1", description = "data-loading threads")
        int workers;

        @Mixin
        ThreadsOption threads;

        @Option(names = "--profile", description = "after the timed epochs, run one more under the op profiler and print "
                + "milliseconds per step for every op type and layer, forward and backward")
        boolean profile;

        @Option(names = "--model", description = "time a seeds' backbone (efficientnet_b0 | vit_tiny) with the recipe of "
                + "pytorch_epoch.py --model instead of an experiment's (see BackboneEpoch)")
        String model;

        @Option(names = "--size", defaultValue = "0", description = "with --model: image side, resized once before timing "
                + "(default: the file's)")
        int size;

        @Option(names = "--patch", description = "with --model vit_tiny: patch side (default 4 below 64 px, else 8)")
        Integer patch;

        @Override
        public Integer call() throws Exception {
            Path file = data != null ? data : new org.gradlab.challenge.data.DatasetDownloader().download("dermamnist");
            MedMnist d = MedMnist.load(file);
            Device dev = DeviceDetection.resolve(device, System.out);
            String core = System.getenv("OPENBLAS_CORETYPE");
            System.out.printf("threads: %d (CPU kernels); BLAS threads: %d; OpenBLAS kernels: %s; vector kernels: %s; java %s%n",
                    Parallel.threads(), Blas.threads(),
                    core == null ? "detected for this CPU" : core + " (forced by OPENBLAS_CORETYPE)",
                    org.gradlab.engine.backend.cpu.VectorLanes.describe(), System.getProperty("java.version"));
            if (model != null) {
                return backbone(d, dev);
            }
            for (StudyExperiment e : BundledStudies.get("dermamnist-25").select(exp)) {
                var train = org.gradlab.challenge.run.StudyData.limit(d.train(), limit);
                System.out.printf("exp %s %s, %d images, batch %d:%n", e.id(), e.name(), train.n(), e.batch());
                EpochBench.Result r = EpochBench.run(e, d, train, dev, epochs, workers, 0, profile, System.out);
                System.out.printf("RESULT exp=%s device=%s median_epoch_s=%.3f images_per_s=%.0f data_wait_s=%.3f loader_only_s=%.3f%n",
                        r.expId(), r.device(), r.medianSeconds(), r.imagesPerSecond(), r.medianWaitSeconds(), r.loaderOnlySeconds());
            }
            return 0;
        }

        private int backbone(MedMnist d, Device dev) {
            if (!org.gradlab.nn.models.Backbones.NAMES.contains(model)) {
                System.err.println("gradlab bench epoch: --model expects one of " + org.gradlab.nn.models.Backbones.NAMES
                        + ", got '" + model + "'");
                return 2;
            }
            var train = org.gradlab.challenge.run.StudyData.limit(d.train(), limit);
            EpochBench.Result r = BackboneEpoch.run(model, size, patch, d, train, dev, epochs, workers, 0, profile, System.out);
            System.out.printf("RESULT model=%s size=%d device=%s median_epoch_s=%.3f images_per_s=%.0f data_wait_s=%.3f loader_only_s=%.3f%n",
                    model, size > 0 ? size : train.h(), r.device(), r.medianSeconds(), r.imagesPerSecond(), r.medianWaitSeconds(),
                    r.loaderOnlySeconds());
            return 0;
        }
    }

    @Command(name = "cudnn", mixinStandardHelpOptions = true,
            description = "On a CUDA device: cuDNN's timing of every forward/backward algorithm at the challenge's conv shapes, "
                    + "the chosen one marked, then the chosen ones timed through the engine.")
    static final class CudnnAlgos implements Callable<Integer> {
        @Option(names = "--batch", defaultValue = "32", description = "batch size (default 32)")
        int batch;

        @Option(names = "--device", defaultValue = "cuda", description = "cuda or cuda:N")
        String device;

        @Override
        public Integer call() {
            Device dev = DeviceDetection.resolve(device, System.out);
            if (!(org.gradlab.engine.backend.Backends.of(dev) instanceof org.gradlab.engine.backend.cuda.CudaBackend cuda)) {
                System.err.println("gradlab bench cudnn: needs a CUDA device, got " + dev);
                return 2;
            }
            CudnnAlgorithms.run(cuda, dev, batch, System.out);
            return 0;
        }
    }

    @Command(name = "backbones", mixinStandardHelpOptions = true,
            description = "Train EfficientNet-B0 or ViT-Tiny from scratch on a binary MedMNIST file (BreastMNIST): "
                    + "seconds, training loss and validation AUC per epoch.")
    static final class Backbones implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "efficientnet_b0", description = "efficientnet_b0 | vit_tiny")
        String model;

        @Option(names = "--data", description = "MedMNIST npz (default ../shared/data/breastmnist.npz)")
        Path data;

        @Option(names = "--size", defaultValue = "28", description = "input side after Resize (default 28: none)")
        int size;

        @Option(names = "--patch", defaultValue = "4", description = "ViT patch size (default 4)")
        int patch;

        @Option(names = "--layers", defaultValue = "12", description = "ViT encoder layers (default 12)")
        int layers;

        @Option(names = "--epochs", defaultValue = "5", description = "epochs (default 5)")
        int epochs;

        @Option(names = "--batch", defaultValue = "32", description = "batch size (default 32)")
        int batch;

        @Option(names = "--lr", defaultValue = "1e-3", description = "AdamW learning rate (default 1e-3)")
        double lr;

        @Option(names = "--mixup", defaultValue = "0", description = "Mixup alpha (0: off)")
        double mixup;

        @Mixin
        ThreadsOption threads;

        @Option(names = "--limit-train", description = "train on the first N images")
        Integer limit;

        @Option(names = "--seed", defaultValue = "0", description = "seed (default 0)")
        long seed;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu | cuda | auto")
        String device;

        @Override
        public Integer call() throws Exception {
            Path file = data != null ? data : Path.of(System.getProperty("gradlab.root", "."), "../shared/data/breastmnist.npz").normalize();
            Device dev = DeviceDetection.resolve(device, System.out);
            BackboneTraining.run(MedMnist.load(file), new BackboneTraining.Options(model, size, patch, layers, epochs, batch, lr, mixup,
                    limit, seed, dev), System.out);
            return 0;
        }
    }
}
