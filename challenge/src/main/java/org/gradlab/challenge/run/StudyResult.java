package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One finished experiment of a study run, as {@code study-results.json} stores it: its settings and note, the
 * learning curves, the selected epoch and its validation and test scores. A failed (diverged) experiment has its
 * {@code failure}, the epochs it finished, and no scores ({@code val}, {@code test} and {@code model_file} null).
 *
 * @param selectedEpoch the epoch whose weights were scored (1-based)
 * @param stoppedEarly  whether early stopping ended training before the planned epochs
 * @param failure       where and how training diverged, or null for a finished experiment
 */
public record StudyResult(@JsonProperty("id") String id, @JsonProperty("name") String name,
                          @JsonProperty("builds_on") String buildsOn, @JsonProperty("note") String note,
                          @JsonProperty("settings") Map<String, String> settings,
                          @JsonProperty("params") long params, @JsonProperty("train_seconds") double trainSeconds,
                          @JsonProperty("history") List<EpochRecord> history,
                          @JsonProperty("selected_epoch") int selectedEpoch, @JsonProperty("stopped_early") boolean stoppedEarly,
                          @JsonProperty("val") StudyScores val, @JsonProperty("test") StudyScores test,
                          @JsonProperty("model_file") String modelFile, @JsonProperty("notes") String notes,
                          @JsonProperty("failure") @JsonInclude(JsonInclude.Include.NON_NULL) Divergence failure) {

    /** A failed experiment: what it finished before it diverged, and where it diverged. */
    static StudyResult failed(String id, String name, String buildsOn, String note, Map<String, String> settings, long params,
                              double trainSeconds, List<EpochRecord> history, String notes, Divergence failure) {
        return new StudyResult(id, name, buildsOn, note, settings, params, trainSeconds, history, 0, false, null, null, null,
                notes, failure);
    }

    /** Whether training diverged (the row is a failure, without scores). */
    @JsonIgnore
    public boolean isFailed() {
        return failure != null;
    }
}
