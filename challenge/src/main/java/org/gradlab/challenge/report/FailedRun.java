package org.gradlab.challenge.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * An experiment of the study whose training diverged, as stored in {@code results.json} beside the finished runs: no
 * scores, only where it failed.
 *
 * @param id     experiment id, "01" .. "25"
 * @param name   experiment name
 * @param reason one line: the epoch and batch, what became non-finite, the first op and its layer
 * @param epoch  1-based epoch of the failed step
 * @param batch  1-based batch of that epoch
 * @param op     the first op whose output or gradient was non-finite; null when none was named
 * @param layer  that op's module path ("(no module)" for the loss); null when no op was named
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FailedRun(@JsonProperty("id") String id, @JsonProperty("name") String name,
                        @JsonProperty("chapter") int chapter, @JsonProperty("device") String device,
                        @JsonProperty("seed") long seed, @JsonProperty("reason") String reason,
                        @JsonProperty("epoch") int epoch, @JsonProperty("batch") int batch,
                        @JsonProperty("op") String op, @JsonProperty("layer") String layer) {

    /** Validates the fields every failure has. */
    public FailedRun {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("failed run id is required");
        }
        Objects.requireNonNull(name, () -> "name of failed run " + id);
        Objects.requireNonNull(reason, () -> "reason of failed run " + id);
    }
}
