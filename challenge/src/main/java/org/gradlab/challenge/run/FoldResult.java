package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What one fold of a {@code cv} experiment produced (see {@link CrossValidatedExperiment#fold}): its learning curve,
 * its held-out ("out of fold") and test probabilities. Kept as {@code folds/<id>-fold<f>.json} until the experiment's
 * row is written, so a resumed run trains only the folds that are missing.
 *
 * @param fingerprint the settings, seed and training-set size it was trained with (a fold of another recipe is not reused)
 * @param held        the indices into train + validation that this fold held out
 * @param bestEpoch   the selected epoch, 1-based
 */
public record FoldResult(@JsonProperty("fold") int fold, @JsonProperty("fingerprint") String fingerprint,
                         @JsonProperty("held") int[] held, @JsonProperty("oof") double[][] oof,
                         @JsonProperty("test") double[][] test, @JsonProperty("history") List<EpochRecord> history,
                         @JsonProperty("train_seconds") double trainSeconds, @JsonProperty("params") long params,
                         @JsonProperty("best_epoch") int bestEpoch, @JsonProperty("stopped_early") boolean stoppedEarly) {}
