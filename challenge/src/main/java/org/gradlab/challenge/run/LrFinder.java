package org.gradlab.challenge.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.gradlab.challenge.study.Study;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Device;

/** {@code ./gradlab lr-find}: loads the study's data as {@code study run} does and runs {@link LrRangeTest} on one experiment. */
public final class LrFinder {
    private LrFinder() {}

    public static int run(Study study, StudyExperiment e, Path data, Path cache, String device, long seed, Integer limitTrain,
                          double minLr, double maxLr, Path out, PrintStream log) throws IOException, InterruptedException {
        Path cacheDir = cache != null ? cache : Path.of(System.getProperty("user.home"), ".cache", "gradlab");
        Path file = StudyDataFiles.resolve(study.dataset(), data, cacheDir, log);
        StudyData raw = StudyData.load(file, data != null && study.dataset().file() == null
                ? StudyRunner.flagOf(file, study) : study.dataset().name());
        StudyRunner.check(new Study(study.name(), study.title(), study.source(), study.dataset(), study.published(),
                study.defaults(), List.of(e), study.grid()), raw);
        Device d = org.gradlab.engine.backend.DeviceDetection.resolve(device, log);
        StudyData prepared = raw.limitTrain(limitTrain).prepared(e.input().channels(), e.input().resize());
        log.printf("lr-find %s exp %s: %s%n  lr %.3g -> %.3g over one pass of %d training images%n", study.name(), e.id(),
                e.recipe(), minLr, maxLr, prepared.train().n());
        LrRangeTest.Result r = LrRangeTest.run(e, prepared, d, seed, minLr, maxLr, log);
        List<Path> files = LrRangeTest.write(r, e.id(), out);
        log.printf("  suggested lr %.3g (steepest descent of the smoothed loss); minimum of the smoothed loss at lr %.3g%s%n",
                r.suggested(), r.minimumLr(), r.diverged() ? "; the loss diverged after it" : "");
        log.printf("  wrote %s and %s%n", files.get(0), files.get(1));
        return 0;
    }
}
