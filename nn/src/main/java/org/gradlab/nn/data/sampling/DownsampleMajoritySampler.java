package org.gradlab.nn.data.sampling;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.Sampler;

/**
 * The majority class downsampled afresh every epoch (the silver-medal write-up: "instead of upsampling the minority
 * class, I downsample the majority class per epoch ... I sample different instances from the majority class per
 * epoch"). Every epoch visits all samples of the other classes once and
 * {@code min(majority, round(ratio × second))} majority samples drawn without replacement, where {@code second} is
 * the size of the largest other class; then shuffles. Binary data: ratio 1 gives a 1:1 balance.
 *
 * <p>NOTE: consecutive epochs draw their subsamples independently, so over E epochs each majority sample is seen
 * about E × kept / majority times — none is wasted for good.
 */
public final class DownsampleMajoritySampler implements Sampler {
    private final int[][] byClass;
    private final int majority;
    private final int kept;
    private final int length;
    private final long seed;

    public DownsampleMajoritySampler(int[] labels, int numClasses, double ratio, long seed) {
        if (!(ratio > 0)) {
            throw new IllegalArgumentException("downsample_majority: ratio must be positive, got " + ratio);
        }
        this.byClass = ClassIndex.byClass(labels, numClasses);
        int major = 0;
        for (int c = 1; c < numClasses; c++) {
            if (byClass[c].length > byClass[major].length) {
                major = c;
            }
        }
        int second = 0;
        int others = 0;
        for (int c = 0; c < numClasses; c++) {
            if (c != major) {
                second = Math.max(second, byClass[c].length);
                others += byClass[c].length;
            }
        }
        if (second == 0) {
            throw new IllegalArgumentException("downsample_majority: only one class present; nothing to balance against");
        }
        this.majority = major;
        this.kept = (int) Math.min(byClass[major].length, Math.max(1, Math.round(ratio * second)));
        this.length = others + kept;
        this.seed = seed;
    }

    /** The class that is downsampled. */
    public int majorityClass() {
        return majority;
    }

    /** Majority samples kept per epoch. */
    public int keptPerEpoch() {
        return kept;
    }

    @Override
    public int[] indices(int epoch) {
        Generator g = new Generator(DataLoader.shuffleSeed(seed ^ 0xD0575A3EL, epoch));
        int[] out = new int[length];
        int at = 0;
        for (int c = 0; c < byClass.length; c++) {
            if (c == majority) {
                int[] pool = ClassIndex.shuffle(ClassIndex.copy(byClass[c]), g);
                System.arraycopy(pool, 0, out, at, kept);
                at += kept;
            } else {
                System.arraycopy(byClass[c], 0, out, at, byClass[c].length);
                at += byClass[c].length;
            }
        }
        return ClassIndex.shuffle(out, g);
    }

    @Override
    public int length() {
        return length;
    }
}
