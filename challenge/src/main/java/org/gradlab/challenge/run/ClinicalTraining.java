package org.gradlab.challenge.run;

import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.study.ClinicalSettings;
import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.nn.data.Sampler;
import org.gradlab.nn.data.sampling.BalancedSampler;
import org.gradlab.nn.data.sampling.DownsampleMajoritySampler;
import org.gradlab.nn.layers.MultiSampleDropout;

/** What the training loop takes from the winners' settings: the epoch sampler and multi-sample dropout's targets. */
final class ClinicalTraining {
    private ClinicalTraining() {}

    /**
     * The sampler {@code sampler.name} asks for, or null (every sample once per epoch, shuffled):
     * {@code balanced} visits as many samples per epoch as the training split has, class-balanced with replacement;
     * {@code downsample_majority} keeps {@code sampler.ratio} × the largest other class of the majority class, afresh
     * every epoch.
     */
    static Sampler sampler(StudyExperiment e, Split train, int numClasses, long seed) {
        ClinicalSettings.Sampler s = ClinicalSettings.sampler(e);
        return switch (s.name()) {
            case "none" -> null;
            case "balanced" -> new BalancedSampler(train.labels(), numClasses, train.n(), seed);
            case "downsample_majority" -> new DownsampleMajoritySampler(train.labels(), numClasses, s.ratio(), seed);
            default -> throw new IllegalArgumentException("unknown sampler '" + s.name() + "': expected none, balanced, downsample_majority");
        };
    }

    /** The labels for a training output of {@code masks} stacked copies of the batch. */
    static int[] tile(int[] labels, int masks) {
        return masks == 1 ? labels : MultiSampleDropout.tile(labels, masks);
    }
}
