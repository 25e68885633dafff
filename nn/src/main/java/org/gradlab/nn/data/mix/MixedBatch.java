package org.gradlab.nn.data.mix;

import org.gradlab.engine.Tensor;

/**
 * A batch after {@link Mixup} or {@link CutMix}: the mixed images (N,C,H,W), the soft targets
 * (N, classes) for the probability cross-entropy, and how they were made: {@code lambda} (the
 * weight of each sample's own label; CutMix's area-adjusted one) and the batch permutation
 * {@code perm} (sample i was mixed with sample perm[i]).
 */
public record MixedBatch(Tensor images, Tensor targets, double lambda, int[] perm) {
}
