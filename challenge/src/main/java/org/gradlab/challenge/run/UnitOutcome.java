package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.gradlab.challenge.report.FailedRun;
import org.gradlab.challenge.report.RunResult;

/**
 * What one unit of a study's work returned (see {@link ExperimentUnit}); plain JSON, so it travels from a Spark
 * executor to the driver as text. A finished experiment has {@code result} (and, on DermaMNIST, {@code challengeRow}),
 * a finished fold has {@code foldResult}; a diverged experiment or fold has a failed {@code result} and
 * {@code challengeFailure}: a failed row, not a failed job.
 *
 * @param fold       the fold of a cv experiment, or -1 for a whole experiment
 * @param clinical   the winners' evaluation of a whole experiment (TTA, calibration, operating point), or null
 * @param hasHealth  whether the unit wrote {@code health/<id>.csv} and {@code .json}
 */
public record UnitOutcome(@JsonProperty("id") String id, @JsonProperty("fold") int fold,
                          @JsonProperty("result") StudyResult result, @JsonProperty("challenge_row") RunResult challengeRow,
                          @JsonProperty("challenge_failure") FailedRun challengeFailure,
                          @JsonProperty("clinical") ClinicalResult clinical, @JsonProperty("fold_result") FoldResult foldResult,
                          @JsonProperty("has_health") boolean hasHealth) {

    /** Whether training diverged. */
    @JsonIgnore
    public boolean isFailed() {
        return result != null && result.isFailed();
    }

    /** The unit's JSON (what a remote unit sends back). */
    public String toJson() {
        try {
            return SavedModel.JSON.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise the outcome of unit " + id + " fold " + fold, e);
        }
    }

    public static UnitOutcome fromJson(String json) {
        try {
            return SavedModel.JSON.readValue(json, UnitOutcome.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot read a unit's outcome: " + e.getOriginalMessage(), e);
        }
    }
}
