package org.gradlab.challenge.run;

import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.data.mix.CutMix;
import org.gradlab.nn.data.mix.MixedBatch;
import org.gradlab.nn.data.mix.Mixup;

/**
 * A study's {@code mix} settings on one training batch, as timm's Mixup chooses per batch: with probability
 * {@code prob} the batch is mixed, by nn's {@link Mixup} or {@link CutMix}; when both alphas are positive each is
 * chosen half the time. The trainer's loss is then λ·CE(logits, y) + (1 − λ)·CE(logits, y[perm]), which equals the
 * cross-entropy against the mixed soft targets and keeps class weights and label smoothing.
 */
final class StudyMix {
    private final StudyExperiment.Mix mix;
    private final Mixup mixup;
    private final CutMix cutmix;

    StudyMix(StudyExperiment.Mix mix) {
        this.mix = mix;
        this.mixup = mix.mixupAlpha() > 0 ? new Mixup(mix.mixupAlpha()) : null;
        this.cutmix = mix.cutmixAlpha() > 0 ? new CutMix(mix.cutmixAlpha()) : null;
    }

    /** The mixed batch, or null when this batch stays as it is. */
    MixedBatch apply(Tensor images, int[] labels, int numClasses, Generator rng) {
        if (!mix.active() || labels.length < 2 || rng.nextDouble() >= mix.prob()) {
            return null;
        }
        boolean useCutmix = cutmix != null && (mixup == null || rng.nextDouble() < 0.5);
        return (useCutmix ? cutmix : mixup).apply(images, labels, numClasses, rng);
    }
}
