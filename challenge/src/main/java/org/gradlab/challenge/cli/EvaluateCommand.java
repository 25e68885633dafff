package org.gradlab.challenge.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gradlab.engine.backend.DeviceDetection;
import org.gradlab.challenge.run.ModelEvaluation;
import org.gradlab.challenge.run.StudyScores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./gradlab evaluate}: scores a model saved by {@code study run} on a split of a dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Score a saved model (models/<id>.safetensors + its .json) on a split.")
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "a .safetensors file written by ./gradlab study run")
    Path model;
    @Option(names = "--data", description = "an npz (default: the data the model was trained on)")
    Path data;
    @Option(names = "--dataset", description = "a MedMNIST flag, found in ../shared/data or downloaded")
    String dataset;
    @Option(names = "--split", defaultValue = "test", description = "train | val | test (default: test)")
    String split;
    @Option(names = "--device", defaultValue = "auto", description = "auto | cpu | cuda")
    String device;
    @Option(names = "--cache", description = "download cache directory (default: ~/.cache/gradlab)")
    Path cache;

    @Override
    public Integer call() throws Exception {
        Path c = cache != null ? cache : Path.of(System.getProperty("user.home"), ".cache", "gradlab");
        StudyScores s = ModelEvaluation.evaluate(model, data, dataset, split, DeviceDetection.resolve(device, System.out), c, System.out);
        System.out.printf(java.util.Locale.ROOT, "%s on %s: AUC %.4f, accuracy %.4f, balanced accuracy %.4f, loss %.4f%n",
                model, split, s.auc(), s.accuracy(), s.balancedAccuracy(), s.loss());
        if (s.sensitivity() != null) {
            System.out.printf(java.util.Locale.ROOT, "  sensitivity %.4f, specificity %.4f, Brier %.4f%n", s.sensitivity(),
                    s.specificity(), s.brier());
        }
        return 0;
    }
}
