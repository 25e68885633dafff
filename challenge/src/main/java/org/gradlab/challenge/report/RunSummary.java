package org.gradlab.challenge.report;

import java.time.Instant;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The facts shown at the top of the report.
 *
 * @param device           device(s) the runs used, e.g. "cpu"
 * @param wallSeconds      total wall time of the study run so far, in seconds
 * @param generated        when the report was generated
 * @param seed             seed(s) of the runs, as text (e.g. "42" or "42, 7")
 */
public record RunSummary(String device, double wallSeconds, Instant generated, String seed) {

    /** Validates presence of the generation time. */
    public RunSummary {
        Objects.requireNonNull(generated, "generated");
        device = device == null ? "" : device;
        seed = seed == null ? "" : seed;
    }

    /**
     * A summary derived from the runs: distinct devices and seeds, wall time = sum of training seconds. Use
     * {@link #withWallSeconds(double)} when the runner measured the whole run (including evaluation) itself.
     */
    public static RunSummary of(ResultsFile results, Instant generated) {
        String devices = results.runs().stream().map(RunResult::device).filter(Objects::nonNull).distinct()
                .collect(Collectors.joining(", "));
        String seeds = results.runs().stream().map(r -> Long.toString(r.seed())).distinct()
                .collect(Collectors.joining(", "));
        double wall = results.runs().stream().mapToDouble(RunResult::trainSeconds).filter(Double::isFinite).sum();
        return new RunSummary(devices, wall, generated, seeds);
    }

    /** A copy with the given total wall time. */
    public RunSummary withWallSeconds(double seconds) {
        return new RunSummary(device, seconds, generated, seed);
    }
}
