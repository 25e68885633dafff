package org.gradlab.challenge.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gradlab.challenge.run.LrFinder;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./gradlab lr-find FILE|NAME --id ID}: the LR range test of one experiment of a study. */
@Command(name = "lr-find", mixinStandardHelpOptions = true,
        description = "LR range test: one pass with an exponentially growing learning rate; loss against LR as a chart and CSV, and a suggested LR.")
public final class LrFindCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE|NAME", description = "a study file or a bundled study name")
    String study;
    @Option(names = "--id", required = true, description = "the experiment whose model, optimizer, loss and augmentation are tested")
    String id;
    @Option(names = "--data", description = "an npz to use instead of the study's dataset")
    Path data;
    @Option(names = "--min-lr", defaultValue = "1e-7", description = "first learning rate (default: 1e-7)")
    double minLr;
    @Option(names = "--max-lr", defaultValue = "10", description = "last learning rate (default: 10)")
    double maxLr;
    @Option(names = "--limit-train", description = "use only the first N training images")
    Integer limitTrain;
    @Option(names = "--seed", defaultValue = "0", description = "random seed (default: 0)")
    long seed;
    @Option(names = "--device", defaultValue = "auto", description = "auto | cpu | cuda")
    String device;
    @Option(names = "--out", description = "output directory (default: runs/<study name>)")
    Path out;
    @Option(names = "--cache", description = "download cache directory (default: ~/.cache/gradlab)")
    Path cache;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CliChecks.atLeastOne(spec, "--limit-train", limitTrain);
        CliChecks.readableFile(spec, "--data", data);
        try {
            Study s = BundledStudies.load(study);
            return LrFinder.run(s, s.get(s.select(id).get(0).id()), data, cache, device, seed, limitTrain, minLr, maxLr,
                    out != null ? out : Path.of("runs", s.name()), System.out);
        } catch (StudyFileException e) {
            System.err.println("gradlab lr-find: " + e.getMessage());
            return StudyCommand.BAD_STUDY;
        }
    }
}
