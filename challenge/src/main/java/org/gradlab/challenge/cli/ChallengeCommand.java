package org.gradlab.challenge.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.gradlab.challenge.report.PublishedResults;
import org.gradlab.challenge.report.PublishedRun;
import org.gradlab.challenge.run.StudyOptions;
import org.gradlab.challenge.run.StudyRunner;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.challenge.study.StudyFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./gradlab challenge}: reruns the study and writes results.json, results.csv and report.html. */
@Command(name = "challenge", mixinStandardHelpOptions = true,
        description = "Run the bundled dermamnist-25 study (the 25 'Beat the Baseline' experiments, or a selection) and write the report.")
public final class ChallengeCommand implements Callable<Integer> {
    @Option(names = "--exp", description = "experiments to run, e.g. 01,08,20-25 (default: all)", defaultValue = "all")
    String exp;

    @Option(names = "--list", description = "list the experiments, what each changes, and the published figures")
    boolean list;

    @Option(names = "--dataset", description = "without --data: the MedMNIST dataset downloaded from Zenodo (md5-checked, once) into the cache (default: dermamnist)")
    String dataset;

    @Option(names = "--out", description = "output directory (default: runs/challenge)", defaultValue = "runs/challenge")
    Path out;

    @Mixin
    TrainingOptions training;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--detect-anomaly", description = "check every op output and gradient for NaN/Inf in every step (slow); without it a diverged step is replayed once to name the op and layer")
    boolean detectAnomaly;

    @Override
    public Integer call() throws Exception {
        org.gradlab.engine.autograd.Autograd.setAnomalyDetection(detectAnomaly);
        Study study = BundledStudies.get("dermamnist-25");
        List<StudyExperiment> selected = study.select(exp);
        if (list) {
            printList(study, selected, PublishedResults.loadDefault());
            return 0;
        }
        if (dataset != null && !dataset.equals("dermamnist")) {
            throw new IllegalArgumentException("--dataset " + dataset + ": the challenge is the DermaMNIST study; "
                    + "for other datasets write a study file and use ./gradlab study run");
        }
        StudyOptions opts = training.options(study, selected, out);
        try {
            return new StudyRunner(opts, System.out).run();
        } catch (StudyFileException e) {
            System.err.println("gradlab challenge: " + e.getMessage());
            return StudyCommand.BAD_STUDY;
        }
    }

    static void printList(Study study, List<StudyExperiment> selected, PublishedResults published) {
        System.out.printf("%-3s %-34s %-3s %-7s %-6s  %s%n", "id", "name", "ch", "pubAUC", "pubMel", "recipe");
        for (StudyExperiment e : selected) {
            PublishedRun p = published.get(e.id()).orElse(null);
            System.out.printf("%-3s %-34s %-3d %-7s %-6s  %s%n", e.id(), e.name(), e.chapter(),
                    p == null || p.auc() == null ? "-" : String.format("%.3f", p.auc()),
                    p == null || p.melanomaRecall() == null ? "-" : String.format("%.2f", p.melanomaRecall()), e.recipe());
            if (e.buildsOn() != null) {
                System.out.printf("    = exp %s + %s%n", e.buildsOn(), e.settings().changesFrom(study.parentSettings(e)));
            }
            if (e.note() != null) {
                System.out.printf("    note: %s%n", e.note());
            }
        }
    }
}
