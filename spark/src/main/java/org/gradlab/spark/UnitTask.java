package org.gradlab.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;
import org.gradlab.challenge.run.ExperimentUnit;
import org.gradlab.challenge.run.UnitOutcome;
import org.gradlab.challenge.run.UnitSpec;

/**
 * One Spark task: trains one unit ({@link ExperimentUnit}) on the executor and returns its outcome and files. The
 * unit works in {@code <java.io.tmpdir>/gradlab-spark/<application>/<unit>}: a retry on the same executor finds the
 * epoch checkpoint there and continues after the last finished epoch (the same numbers as an uninterrupted run); on
 * another executor it starts the unit afresh. The log goes to {@code logs/<unit>.log}, sent back with the models.
 * A GPU that Spark gave the task ({@code spark.task.resource.gpu.amount=1}) is the device when {@code --device} is
 * {@code auto} or {@code cuda}.
 */
final class UnitTask implements Function<UnitSpec, UnitFiles> {
    private final String application;
    /** The data file's name among the files Spark shipped (SparkContext.addFile), or null when executors share its path. */
    private final String shippedData;
    private final TaskFault fault;

    UnitTask(String application, String shippedData, TaskFault fault) {
        this.application = application;
        this.shippedData = shippedData;
        this.fault = fault;
    }

    @Override
    public UnitFiles call(UnitSpec spec) throws IOException {
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "gradlab-spark", application, spec.key());
        Files.createDirectories(work.resolve("logs"));
        Path data = shippedData == null ? Path.of(spec.data()) : Path.of(SparkFiles.get(shippedData));
        String device = device(spec.device(), task);
        UnitOutcome o;
        try (PrintStream log = new PrintStream(new LineTap(Files.newOutputStream(work.resolve("logs").resolve(spec.key() + ".log"),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), spec.key(), attempt, fault), true, StandardCharsets.UTF_8)) {
            log.printf("unit %s, attempt %d, device %s, data %s%n", spec.key(), attempt, device, data);
            o = ExperimentUnit.run(spec, data, device, work, log);
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<Path> all;
        try (Stream<Path> s = Files.walk(work)) {
            all = s.filter(Files::isRegularFile).filter(p -> !work.relativize(p).startsWith("checkpoints")).sorted().toList();
        }
        for (Path p : all) {
            files.put(work.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
        }
        deleteTree(work);
        String executor = task == null ? "driver" : org.apache.spark.SparkEnv.get().executorId();
        return new UnitFiles(spec.key(), o.toJson(), files, attempt, executor);
    }

    /** {@code --device}, or the GPU Spark assigned to this task when the device may be a GPU. */
    static String device(String asked, TaskContext task) {
        String d = asked == null ? "auto" : asked;
        if (task == null || !(d.equals("auto") || d.startsWith("cuda"))) {
            return d;
        }
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        return gpu == null || gpu.addresses().length == 0 ? d : "cuda:" + gpu.addresses()[0];
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The unit's log file, with every finished line shown to the fault (if any). */
    private static final class LineTap extends OutputStream {
        private final OutputStream file;
        private final String key;
        private final int attempt;
        private final TaskFault fault;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineTap(OutputStream file, String key, int attempt, TaskFault fault) {
            this.file = file;
            this.key = key;
            this.attempt = attempt;
            this.fault = fault;
        }

        @Override
        public void write(int b) throws IOException {
            file.write(b);
            if (fault == null) {
                return;
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                file.flush();
                fault.atLine(key, attempt, text);
            } else {
                line.write(b);
            }
        }

        @Override
        public void flush() throws IOException {
            file.flush();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
