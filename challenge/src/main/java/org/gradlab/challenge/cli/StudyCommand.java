package org.gradlab.challenge.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.gradlab.challenge.run.StudyCluster;
import org.gradlab.challenge.run.StudyOptions;
import org.gradlab.challenge.run.StudyRunner;
import org.gradlab.challenge.study.BundledStudies;
import org.gradlab.challenge.study.Settings;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.challenge.study.StudyFileException;
import org.gradlab.challenge.study.StudySource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./gradlab study run|list|show}: studies as data (a YAML file or a bundled study). */
@Command(name = "study", mixinStandardHelpOptions = true, description = "Run, list and show studies (experiment grids in a YAML file).",
        subcommands = {StudyCommand.Run.class, StudyCommand.ListStudies.class, StudyCommand.Show.class})
public final class StudyCommand implements Runnable {
    /** Exit status of a study file that cannot be run. */
    static final int BAD_STUDY = 2;

    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Train the study's experiments and write study.html, study-results.json and models/.")
    public static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE|NAME", description = "a study file or a bundled study name")
        String study;
        @Option(names = "--only", description = "experiment ids, e.g. 01,08,20-25 or basic-cosine-resnet18")
        String only;
        @Option(names = "--out", description = "output directory (default: runs/<study name>)")
        Path out;
        @picocli.CommandLine.Mixin
        TrainingOptions training;
        @picocli.CommandLine.Mixin
        ThreadsOption threads;
        @Option(names = "--size", description = "the MedMNIST image side to train at instead of the study's: 28, 64, 128 or 224")
        Integer size;
        @Option(names = "--spark", paramLabel = "MASTER", description = "train every experiment and fold as an Apache Spark task on "
                + "MASTER (local[N], spark://HOST:PORT, yarn, k8s://...); needs the optional gradlab-spark module (./gradlab-spark)")
        String spark;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            StudyCluster cluster = spark == null ? null : StudyCluster.find("spark");
            if (spark != null && cluster == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--spark " + spark + ": needs the optional "
                        + "gradlab-spark module on the class path: run ./gradlab-spark instead of ./gradlab (README, \"A study on a Spark cluster\")");
            }
            try {
                Study s = BundledStudies.load(study);
                if (size != null) {
                    s = s.atSize(size);
                }
                StudyOptions o = training.options(s, s.select(only), out != null ? out : Path.of("runs", s.name()));
                return new StudyRunner(o, System.out, cluster == null ? null
                        : cluster.connect(spark, StudySource.of(study, size), System.out)).run();
            } catch (StudyFileException e) {
                System.err.println("gradlab study: " + e.getMessage());
                return BAD_STUDY;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The bundled studies.")
    public static final class ListStudies implements Callable<Integer> {
        @Override
        public Integer call() {
            for (String n : BundledStudies.NAMES) {
                Study s = BundledStudies.get(n);
                System.out.printf("%-22s %3d experiments  %-28s %s%n", n, s.experiments().size(), s.dataset(), s.title());
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Every experiment fully expanded, and what it changes from the one it builds on.")
    public static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE|NAME")
        String study;
        @Option(names = "--only", description = "experiment ids")
        String only;

        @Override
        public Integer call() throws Exception {
            try {
                Study s = BundledStudies.load(study);
                System.out.printf("%s: %s (%s; data %s)%n", s.name(), s.title(), s.source(), s.dataset());
                if (!s.grid().isEmpty()) {
                    System.out.println("grid: " + s.grid());
                }
                for (StudyExperiment e : s.select(only)) {
                    print(s, e);
                }
                return 0;
            } catch (StudyFileException e) {
                System.err.println("gradlab study: " + e.getMessage());
                return BAD_STUDY;
            }
        }

        static void print(Study s, StudyExperiment e) {
            System.out.printf("%n%s  %s%s%n", e.id(), e.name(), e.chapter() > 0 ? "  (chapter " + e.chapter() + ")" : "");
            if (e.note() != null) {
                System.out.println("  note: " + e.note());
            }
            Map<String, Object> changes = e.settings().changesFrom(s.parentSettings(e));
            System.out.println("  changes from " + (e.buildsOn() == null ? "the defaults" : e.buildsOn()) + ": "
                    + (changes.isEmpty() ? "nothing" : ""));
            changes.forEach((k, v) -> System.out.printf("    %s: %s%n", k, Settings.format(v)));
            System.out.println("  settings:");
            e.settings().values().forEach((k, v) -> System.out.printf("    %-26s %s%n", k, Settings.format(v)));
        }
    }
}
