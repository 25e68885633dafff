package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One finished experiment of a study run, as {@code study-results.json} stores it: its settings and note, the
 * learning curves, the selected epoch and its validation and test scores.
 *
 * @param selectedEpoch the epoch whose weights were scored (1-based)
 * @param stoppedEarly  whether early stopping ended training before the planned epochs
 */
public record StudyResult(@JsonProperty("id") String id, @JsonProperty("name") String name,
                          @JsonProperty("builds_on") String buildsOn, @JsonProperty("note") String note,
                          @JsonProperty("settings") Map<String, String> settings,
                          @JsonProperty("params") long params, @JsonProperty("train_seconds") double trainSeconds,
                          @JsonProperty("history") List<EpochRecord> history,
                          @JsonProperty("selected_epoch") int selectedEpoch, @JsonProperty("stopped_early") boolean stoppedEarly,
                          @JsonProperty("val") StudyScores val, @JsonProperty("test") StudyScores test,
                          @JsonProperty("model_file") String modelFile, @JsonProperty("notes") String notes) {
}
