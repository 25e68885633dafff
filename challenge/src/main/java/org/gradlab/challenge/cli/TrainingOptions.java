package org.gradlab.challenge.cli;

import java.nio.file.Path;
import java.util.List;
import org.gradlab.challenge.run.StudyOptions;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of the commands that train a study ({@code challenge}, {@code study run}):
 * {@code @Mixin TrainingOptions training;}. Each value is checked as it is parsed (a one-line usage
 * error naming the option, exit 2), before anything else runs.
 */
public final class TrainingOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Path data;
    private Integer epochs;
    private Integer limitTrain;
    private Path weights;
    private int workers;

    @Option(names = "--data", description = "a MedMNIST-layout npz to use instead of the study's dataset "
            + "(default: the dataset, downloaded once into the cache)")
    void data(Path file) {
        CliChecks.readableFile(spec, "--data", file);
        data = file;
    }

    @Option(names = "--epochs", description = "override every experiment's epoch count")
    void epochs(int n) {
        CliChecks.atLeastOne(spec, "--epochs", n);
        epochs = n;
    }

    @Option(names = "--limit-train", description = "use only the first N training images (quick runs)")
    void limitTrain(int n) {
        CliChecks.atLeastOne(spec, "--limit-train", n);
        limitTrain = n;
    }

    @Option(names = "--seed", description = "random seed (default: 0)", defaultValue = "0")
    long seed;

    @Option(names = "--device", description = "auto | cpu | cuda (default: auto)", defaultValue = "auto")
    String device;

    @Option(names = "--resume", description = "skip experiments already in OUT/study-results.json")
    boolean resume;

    @Option(names = "--cache", description = "download cache directory (default: ~/.cache/gradlab)")
    Path cache;

    @Option(names = "--weights", description = "torchvision ImageNet ResNet-18 weights (.pth) for pretrained resnet18")
    void weights(Path file) {
        CliChecks.readableFile(spec, "--weights", file);
        weights = file;
    }

    @Option(names = "--workers", description = "data-loading threads (default: 1)", defaultValue = "1")
    void workers(int n) {
        CliChecks.atLeastZero(spec, "--workers", n);
        workers = n;
    }

    /** The run's options for these experiments of the study, written to {@code out}. */
    StudyOptions options(Study study, List<StudyExperiment> selected, Path out) {
        return new StudyOptions(study, selected, data, cache, device, seed, epochs, limitTrain, out, resume, weights, workers);
    }
}
