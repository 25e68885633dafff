package org.gradlab.challenge.report;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The report outputs of one study run in {@code DIR}: {@code results.json}, {@code results.csv},
 * {@code charts/*.png} and {@code report.html}. Call {@link #record(RunResult)} after every experiment; each call
 * first saves the results atomically (so an interrupted run loses nothing finished), then re-renders the charts and
 * the HTML report.
 *
 * <pre>{@code
 * ChallengeReport report = new ChallengeReport(outDir, PublishedResults.loadDefault());
 * for (Experiment e : experiments) {
 *     RunResult r = e.run();
 *     report.record(r);
 * }
 * System.out.print(report.consoleTable());
 * }</pre>
 */
public final class ChallengeReport {
    private final Path dir;
    private final PublishedResults published;
    private final ResultsStore store;
    private final Clock clock;
    private final List<ReportSection> sections = new ArrayList<>();
    private Double wallSeconds;

    /** Report in {@code dir} compared with {@code published}, dated by the system clock. */
    public ChallengeReport(Path dir, PublishedResults published) {
        this(dir, published, Clock.systemUTC());
    }

    /** Report in {@code dir} compared with {@code published}, dated by {@code clock}. */
    public ChallengeReport(Path dir, PublishedResults published, Clock clock) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.published = Objects.requireNonNull(published, "published");
        this.store = new ResultsStore(dir, published);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The store behind {@code results.json} / {@code results.csv}. */
    public ResultsStore store() {
        return store;
    }

    /** Adds an extra section to every report written from now on (e.g. a training-health report). */
    public void addSection(ReportSection section) {
        sections.add(Objects.requireNonNull(section, "section"));
    }

    /**
     * Sets the total wall time of the study run shown in the summary; without it the summary shows the sum of
     * the runs' training seconds.
     */
    public void setWallSeconds(double seconds) {
        this.wallSeconds = seconds;
    }

    /**
     * Saves {@code run} (replacing a stored run with the same id), then rewrites the charts and the report.
     *
     * @return all results now on disk
     */
    public ResultsFile record(RunResult run) {
        ResultsFile results = store.upsert(run);
        render(results);
        return results;
    }

    /**
     * Saves the failed experiment {@code failure} (replacing a stored run with the same id), then rewrites the charts
     * and the report, where it is a row marked failed with its reason.
     *
     * @return all results now on disk
     */
    public ResultsFile recordFailure(FailedRun failure) {
        ResultsFile results = store.upsert(failure);
        render(results);
        return results;
    }

    /** Rewrites the charts and {@code report.html} from the stored {@code results.json}. */
    public Path render() {
        return render(store.load());
    }

    private Path render(ResultsFile results) {
        RunSummary summary = RunSummary.of(results, clock.instant());
        if (wallSeconds != null) {
            summary = summary.withWallSeconds(wallSeconds);
        }
        List<ChartImage> charts = Charts.renderAll(results, published, dir);
        return new HtmlReport(published).write(dir, results, summary, charts, List.copyOf(sections));
    }

    /** The console table of the stored results (see {@link ResultsTable}). */
    public String consoleTable() {
        return ResultsTable.render(store.load(), published);
    }
}
