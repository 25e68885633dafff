package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.gradlab.challenge.predict.Calibration;
import org.gradlab.challenge.predict.OperatingPoint;

/**
 * What an experiment or an ensemble scores beyond the plain evaluation, as {@code study-clinical.json} stores it:
 * the final predictions' scores (after TTA and temperature scaling when set) with bootstrap intervals of the AUC,
 * the plain (no-TTA) scores beside them, calibration before and after, the operating point and the ROC curves of its
 * class (one vs rest).
 *
 * @param kind      "experiment", or for an ensemble its rule and members
 * @param ttaViews  views averaged (1 = no TTA)
 * @param plainVal  the scores without TTA (null for an ensemble)
 * @param calibration "val_before", "val_after", "test_before", "test_after" (after: with a fitted temperature)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClinicalResult(@JsonProperty("id") String id, @JsonProperty("kind") String kind,
                             @JsonProperty("tta_views") int ttaViews,
                             @JsonProperty("plain_val") StudyScores plainVal, @JsonProperty("plain_test") StudyScores plainTest,
                             @JsonProperty("val") StudyScores val, @JsonProperty("test") StudyScores test,
                             @JsonProperty("val_auc_ci") double[] valAucCi, @JsonProperty("test_auc_ci") double[] testAucCi,
                             @JsonProperty("temperature") Double temperature,
                             @JsonProperty("calibration") java.util.Map<String, Calibration.Scores> calibration,
                             @JsonProperty("operating_point") OperatingPoint.Result operatingPoint,
                             @JsonProperty("roc_val") double[][] rocVal, @JsonProperty("roc_test") double[][] rocTest) {
}
