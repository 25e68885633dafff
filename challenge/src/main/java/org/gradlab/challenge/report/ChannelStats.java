package org.gradlab.challenge.report;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Per-channel mean and standard deviation of images as the model receives them (after every transform).
 * Comparing the training batches with the validation images shows a preprocessing mismatch at a glance.
 *
 * @param mean one value per channel
 * @param std  one value per channel (population standard deviation)
 */
public record ChannelStats(double[] mean, double[] std) {
    /** A shift of the mean larger than this many validation standard deviations counts as a mismatch. */
    public static final double MEAN_SHIFT_LIMIT = 1.0;
    /** A ratio of standard deviations beyond this factor (either way) counts as a mismatch. */
    public static final double STD_RATIO_LIMIT = 2.0;

    /** Checks both arrays are present and of the same length. */
    public ChannelStats {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("need one mean and one std per channel, got " + mean.length + " and "
                    + std.length);
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /**
     * The largest shift of a channel mean between these (training) inputs and {@code reference} (validation), in
     * units of the reference's standard deviation of that channel.
     */
    public double meanShiftInStds(ChannelStats reference) {
        double worst = 0;
        for (int c = 0; c < Math.min(mean.length, reference.mean.length); c++) {
            worst = Math.max(worst, Math.abs(mean[c] - reference.mean[c]) / Math.max(reference.std[c], 1e-6));
        }
        return worst;
    }

    /** The largest ratio between a channel's standard deviations here and in {@code reference}, always >= 1. */
    public double stdRatio(ChannelStats reference) {
        double worst = 1;
        for (int c = 0; c < Math.min(std.length, reference.std.length); c++) {
            double r = Math.max(std[c], 1e-6) / Math.max(reference.std[c], 1e-6);
            worst = Math.max(worst, Math.max(r, 1 / r));
        }
        return worst;
    }

    /** Whether these inputs and {@code reference} look preprocessed differently (see the two limits). */
    public boolean mismatches(ChannelStats reference) {
        return meanShiftInStds(reference) > MEAN_SHIFT_LIMIT || stdRatio(reference) > STD_RATIO_LIMIT;
    }

    /** {@code mean [0.763, 0.538, 0.561] std [0.137, 0.154, 0.169]}. */
    public String format() {
        return "mean " + list(mean) + " std " + list(std);
    }

    private static String list(double[] v) {
        return Arrays.stream(v).mapToObj(d -> String.format(Locale.ROOT, "%.3f", d))
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelStats s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return format();
    }
}
