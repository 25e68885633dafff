package org.gradlab.challenge.report;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The content of {@code results.json}: all finished runs and the failed (diverged) experiments, each ordered by id.
 * Immutable. An id is either finished or failed, never both.
 *
 * @param runs   runs ordered by id, at most one per id
 * @param failed failed experiments ordered by id (absent in files without failures)
 */
public record ResultsFile(@JsonProperty("runs") List<RunResult> runs,
                          @JsonProperty("failed") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FailedRun> failed) {

    private static final Comparator<RunResult> BY_ID = Comparator.comparing(RunResult::id);

    /** Sorts both lists by id and rejects duplicate ids. */
    @JsonCreator
    public ResultsFile {
        List<RunResult> sorted = new ArrayList<>(runs == null ? List.of() : runs);
        sorted.sort(BY_ID);
        List<FailedRun> fails = new ArrayList<>(failed == null ? List.of() : failed);
        fails.sort(Comparator.comparing(FailedRun::id));
        List<String> ids = new ArrayList<>(sorted.stream().map(RunResult::id).toList());
        ids.addAll(fails.stream().map(FailedRun::id).toList());
        if (ids.stream().distinct().count() != ids.size()) {
            throw new IllegalArgumentException("duplicate run id " + ids.stream()
                    .filter(id -> ids.indexOf(id) != ids.lastIndexOf(id)).findFirst().orElse(""));
        }
        runs = List.copyOf(sorted);
        failed = List.copyOf(fails);
    }

    /** Finished runs only. */
    public ResultsFile(List<RunResult> runs) {
        this(runs, List.of());
    }

    /** A file without runs. */
    public static ResultsFile empty() {
        return new ResultsFile(List.of());
    }

    /** Returns a copy in which {@code run} replaces the run or failure with the same id, or is added. */
    public ResultsFile upsert(RunResult run) {
        List<RunResult> next = new ArrayList<>(runs.size() + 1);
        for (RunResult r : runs) {
            if (!r.id().equals(run.id())) {
                next.add(r);
            }
        }
        next.add(run);
        return new ResultsFile(next, failed.stream().filter(f -> !f.id().equals(run.id())).toList());
    }

    /** Returns a copy in which {@code failure} replaces the run or failure with the same id, or is added. */
    public ResultsFile upsert(FailedRun failure) {
        List<FailedRun> next = new ArrayList<>(failed.stream().filter(f -> !f.id().equals(failure.id())).toList());
        next.add(failure);
        return new ResultsFile(runs.stream().filter(r -> !r.id().equals(failure.id())).toList(), next);
    }

    /** The run with the given id. */
    public Optional<RunResult> find(String id) {
        return runs.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
