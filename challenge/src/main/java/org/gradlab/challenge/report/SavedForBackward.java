package org.gradlab.challenge.report;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * What one training step keeps alive for backward (from the engine's saved-tensor ledger), for the report.
 *
 * @param batch      images in the measured step
 * @param layers     per layer, in forward order ({@code (no module)} for ops outside one, like the loss)
 * @param sumOverOps bytes summed over every op; a tensor saved by two ops counts twice here
 * @param peakBytes  bytes of the distinct saved storages, all alive when backward starts: the step's peak
 */
public record SavedForBackward(@JsonProperty("batch") int batch,
                               @JsonProperty("layers") List<Layer> layers,
                               @JsonProperty("sum_over_ops") long sumOverOps,
                               @JsonProperty("peak_bytes") long peakBytes) {
    /**
     * One layer's share.
     *
     * @param name  module path ({@code features.0})
     * @param ops   the ops that ran in it, in order, without repeats ({@code Conv2d}, {@code Relu})
     * @param bytes bytes its ops saved for backward
     */
    public record Layer(@JsonProperty("name") String name, @JsonProperty("ops") List<String> ops,
                        @JsonProperty("bytes") long bytes) {
        /** Copies the op names. */
        public Layer {
            ops = List.copyOf(ops);
        }
    }

    /** Copies the layers. */
    public SavedForBackward {
        layers = List.copyOf(layers);
    }
}
