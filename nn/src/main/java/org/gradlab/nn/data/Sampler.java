package org.gradlab.nn.data;

/**
 * Which dataset indices an epoch visits, in order: the seam through which a {@link DataLoader} draws other than
 * "every sample once, shuffled" (class-balanced sampling with replacement, a fresh majority-class subsample per
 * epoch, ...). Implementations are deterministic functions of their seed and the epoch, so a run replays exactly.
 */
public interface Sampler {
    /** Dataset indices of epoch {@code epoch} in visiting order; may repeat or omit indices. */
    int[] indices(int epoch);

    /** How many indices every epoch visits (the length of {@link #indices}). */
    int length();
}
