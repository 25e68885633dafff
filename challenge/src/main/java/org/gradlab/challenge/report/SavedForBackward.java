package org.gradlab.challenge.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one training step keeps alive for backward (from the engine's saved-tensor ledger), for the report.
 *
 * @param batch      images in the measured step
 * @param perLayer   bytes saved by the ops of each layer, in forward order ({@code (no module)} for ops outside one)
 * @param sumOverOps bytes summed over every op; a tensor saved by two ops counts twice here
 * @param peakBytes  bytes of the distinct saved storages, all alive when backward starts: the step's peak
 */
public record SavedForBackward(int batch, Map<String, Long> perLayer, long sumOverOps, long peakBytes) {
    /** Copies the per-layer map, keeping its order. */
    public SavedForBackward {
        perLayer = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(perLayer, "perLayer")));
    }
}
