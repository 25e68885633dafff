package org.gradlab.challenge.report;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The content of {@code results.json}: all finished runs, ordered by id. Immutable.
 *
 * @param runs runs ordered by id, at most one per id
 */
public record ResultsFile(@JsonProperty("runs") List<RunResult> runs) {

    private static final Comparator<RunResult> BY_ID = Comparator.comparing(RunResult::id);

    /** Sorts the runs by id and rejects duplicate ids. */
    public ResultsFile {
        List<RunResult> sorted = new ArrayList<>(runs == null ? List.of() : runs);
        sorted.sort(BY_ID);
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).id().equals(sorted.get(i - 1).id())) {
                throw new IllegalArgumentException("duplicate run id " + sorted.get(i).id());
            }
        }
        runs = List.copyOf(sorted);
    }

    /** A file without runs. */
    public static ResultsFile empty() {
        return new ResultsFile(List.of());
    }

    /** Returns a copy in which {@code run} replaces the run with the same id, or is added. */
    public ResultsFile upsert(RunResult run) {
        List<RunResult> next = new ArrayList<>(runs.size() + 1);
        for (RunResult r : runs) {
            if (!r.id().equals(run.id())) {
                next.add(r);
            }
        }
        next.add(run);
        return new ResultsFile(next);
    }

    /** The run with the given id. */
    public Optional<RunResult> find(String id) {
        return runs.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
