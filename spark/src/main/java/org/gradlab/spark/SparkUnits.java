package org.gradlab.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.gradlab.challenge.report.AtomicFiles;
import org.gradlab.challenge.run.StudyOptions;
import org.gradlab.challenge.run.StudyUnit;
import org.gradlab.challenge.run.UnitOutcome;
import org.gradlab.challenge.run.UnitRunner;
import org.gradlab.challenge.run.UnitSpec;
import org.gradlab.challenge.study.StudySource;

/**
 * Trains a study's units as Spark tasks: every experiment, and every fold of a {@code cv} experiment, is one task of
 * its own one-task job, all jobs submitted at once so that as many train together as the cluster has task slots.
 * The driver writes each unit's files into the output folder and records it as soon as its task returns, so a
 * driver that dies loses only the units still training ({@code --resume} skips the others).
 *
 * <p>Faults: Spark retries a failed task ({@code spark.task.maxFailures}, 4 unless set; a {@code local[N]} master
 * becomes {@code local[N,4]}, since local mode otherwise never retries); a unit that still fails is reported after
 * all others finished. A diverged unit is not a fault: it returns a failed row.
 *
 * <p>Data: the data file is shipped to every executor with {@code SparkContext.addFile}; with
 * {@code spark.gradlab.sharedData=true} (the default for a {@code local} master) executors read the driver's path
 * instead (a shared file system).
 */
final class SparkUnits implements UnitRunner {
    /** Retries of a failed task unless the configuration says otherwise. */
    static final int MAX_FAILURES = 4;
    private static final Pattern LOCAL = Pattern.compile("local\\[(\\d+|\\*)]");

    private final JavaSparkContext sc;
    private final StudySource source;
    private final Path dataFile;
    private final String dataFlag;
    private final StudyOptions opts;
    private final PrintStream out;
    private final boolean sharedData;
    private final TaskFault fault;

    SparkUnits(String master, StudySource source, Path dataFile, String dataFlag, StudyOptions opts, PrintStream out,
               TaskFault fault) {
        SparkConf conf = new SparkConf().setAppName("gradlab study " + opts.study().name());
        String m = master;
        Matcher local = LOCAL.matcher(m);
        if (local.matches()) {
            m = "local[" + local.group(1) + "," + conf.getInt("spark.task.maxFailures", MAX_FAILURES) + "]";
        }
        conf.setMaster(m);
        conf.setIfMissing("spark.task.maxFailures", Integer.toString(MAX_FAILURES));
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        this.sc = new JavaSparkContext(conf);
        this.source = source;
        this.dataFile = dataFile;
        this.dataFlag = dataFlag;
        this.opts = opts;
        this.out = out;
        // a local master's executors are threads of this JVM: they read the driver's file (and reuse its decoded splits)
        this.sharedData = conf.getBoolean("spark.gradlab.sharedData", m.startsWith("local"));
        this.fault = fault;
        if (!sharedData) {
            sc.addFile(dataFile.toAbsolutePath().toString());
        }
        out.printf("spark: master %s, application %s, %d task slots by default, a failed task is tried up to %s times; data %s%n",
                m, sc.sc().applicationId(), sc.defaultParallelism(), conf.get("spark.task.maxFailures"),
                sharedData ? "read by the executors at " + dataFile : "shipped to the executors (SparkContext.addFile)");
    }

    @Override
    public void run(List<StudyUnit> units, Sink sink) throws IOException, InterruptedException {
        if (units.isEmpty()) {
            return;
        }
        UnitTask task = new UnitTask(sc.sc().applicationId(), sharedData ? null : dataFile.getFileName().toString(), fault);
        ExecutorService submitters = Executors.newFixedThreadPool(Math.min(units.size(), 64));
        ExecutorCompletionService<UnitFiles> done = new ExecutorCompletionService<>(submitters);
        Map<Future<UnitFiles>, StudyUnit> byFuture = new java.util.HashMap<>();
        for (StudyUnit u : units) {
            UnitSpec spec = UnitSpec.of(source, u, opts, dataFile, dataFlag);
            byFuture.put(done.submit(() -> {
                sc.setJobDescription("gradlab unit " + u.key());
                return sc.parallelize(List.of(spec), 1).map(task).collect().get(0);
            }), u);
        }
        out.printf("spark: %d units submitted (%s)%n", units.size(), String.join(", ", units.stream().map(StudyUnit::key).toList()));
        List<String> failed = new ArrayList<>();
        try {
            for (int i = 0; i < units.size(); i++) {
                Future<UnitFiles> f = done.take();
                StudyUnit u = byFuture.get(f);
                UnitFiles r;
                try {
                    r = f.get();
                } catch (ExecutionException e) {
                    String why = firstLine(e.getCause());
                    out.printf("spark: unit %s FAILED on every attempt: %s%n", u.key(), why);
                    failed.add(u.key() + ": " + why);
                    continue;
                }
                for (Map.Entry<String, byte[]> file : r.files().entrySet()) {
                    Path p = opts.out().resolve(file.getKey());
                    Files.createDirectories(p.getParent());
                    AtomicFiles.write(p, file.getValue());
                }
                out.printf("spark: unit %s finished on executor %s%s (log: %s)%n", u.key(), r.executor(),
                        r.attempt() > 0 ? ", attempt " + (r.attempt() + 1) : "", opts.out().resolve("logs").resolve(u.key() + ".log"));
                sink.accept(u, UnitOutcome.fromJson(r.outcomeJson()));
            }
        } finally {
            submitters.shutdownNow();
        }
        if (!failed.isEmpty()) {
            throw new IOException(failed.size() + " of " + units.size() + " units could not be trained on Spark: "
                    + String.join("; ", failed));
        }
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        sc.stop();
    }
}
