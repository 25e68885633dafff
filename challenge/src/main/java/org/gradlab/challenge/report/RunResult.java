package org.gradlab.challenge.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of one experiment of the study, as stored in {@code results.json}.
 *
 * @param id           two-digit experiment id, "01" .. "25"
 * @param name         experiment name, e.g. "BatchNorm"
 * @param chapter      chapter number 1..10 (see {@link Chapters})
 * @param device       where it trained, e.g. "cpu" or "cuda"
 * @param seed         random seed
 * @param epochs       epochs trained
 * @param params       trainable parameters
 * @param trainSeconds wall time of training in seconds
 * @param epochSeconds wall time of each epoch in seconds
 * @param pretrained   whether pretrained weights were used; null when not applicable
 * @param notes        free text, e.g. "trained from random init: ImageNet weights unavailable"; may be null
 * @param val          metrics on the validation split
 * @param test         metrics on the test split; may be null when not evaluated
 */
public record RunResult(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("chapter") int chapter,
        @JsonProperty("device") String device,
        @JsonProperty("seed") long seed,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("params") long params,
        @JsonProperty("train_seconds") double trainSeconds,
        @JsonProperty("epoch_seconds") double[] epochSeconds,
        @JsonProperty("pretrained") @JsonInclude(JsonInclude.Include.ALWAYS) Boolean pretrained,
        @JsonProperty("notes") @JsonInclude(JsonInclude.Include.NON_NULL) String notes,
        @JsonProperty("val") SplitMetrics val,
        @JsonProperty("test") @JsonInclude(JsonInclude.Include.NON_NULL) SplitMetrics test) {

    /** Validates required fields. */
    public RunResult {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("run id is required");
        }
        Objects.requireNonNull(name, () -> "name of run " + id);
        Objects.requireNonNull(val, () -> "val metrics of run " + id);
        epochSeconds = epochSeconds == null ? new double[0] : epochSeconds;
    }

    /** The experiment number parsed from the id, or -1 when the id is not numeric. */
    public int number() {
        try {
            return Integer.parseInt(id.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunResult r
                && id.equals(r.id) && name.equals(r.name) && chapter == r.chapter
                && Objects.equals(device, r.device) && seed == r.seed && epochs == r.epochs
                && params == r.params && Double.compare(trainSeconds, r.trainSeconds) == 0
                && Arrays.equals(epochSeconds, r.epochSeconds) && Objects.equals(pretrained, r.pretrained)
                && Objects.equals(notes, r.notes) && val.equals(r.val) && Objects.equals(test, r.test);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, name, chapter, seed, val);
    }

    @Override
    public String toString() {
        return "RunResult[" + id + " " + name + ", val=" + val + "]";
    }
}
