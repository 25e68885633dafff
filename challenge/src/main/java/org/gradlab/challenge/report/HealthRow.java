package org.gradlab.challenge.report;

/**
 * One line of the training-health report: one tensor of the model (a parameter, a BatchNorm running statistic, or
 * the output of a ReLU layer) in one epoch. A figure that does not apply to the tensor is NaN.
 *
 * @param epoch       0-based epoch
 * @param name        state-dict name ({@code features.0.weight}), or the layer followed by {@code " (ReLU)"}
 * @param gradNorm    mean over the epoch's steps of the gradient's L2 norm
 * @param updateRatio ||w_end - w_start|| / ||w_start|| over the epoch
 * @param bnDrift     the same relative change for a BatchNorm running mean or variance
 * @param deadRelu    share of the ReLU's outputs that are exactly 0 on the epoch's last batch
 * @param reluRms     root mean square of the ReLU's outputs on the epoch's last batch: the scale of the signal the
 *                    layer passes on (without normalisation it shrinks or grows layer by layer)
 */
public record HealthRow(int epoch, String name, double gradNorm, double updateRatio, double bnDrift, double deadRelu,
                        double reluRms) {
    /** Suffix that marks the row of a ReLU layer's output. */
    public static final String RELU_SUFFIX = " (ReLU)";

    /** The row of a parameter or running statistic (the ReLU figures NaN). */
    public static HealthRow tensor(int epoch, String name, double gradNorm, double updateRatio, double bnDrift) {
        return new HealthRow(epoch, name, gradNorm, updateRatio, bnDrift, Double.NaN, Double.NaN);
    }

    /** The row of a ReLU layer's output (the tensor figures NaN). */
    public static HealthRow relu(int epoch, String layer, double deadRelu, double reluRms) {
        return new HealthRow(epoch, layer + RELU_SUFFIX, Double.NaN, Double.NaN, Double.NaN, deadRelu, reluRms);
    }

    /** The layer the tensor belongs to: the name without its last dotted part, or without the ReLU suffix. */
    public String layer() {
        if (name.endsWith(RELU_SUFFIX)) {
            return name.substring(0, name.length() - RELU_SUFFIX.length());
        }
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    /** The tensor's own name inside its layer ({@code weight}, {@code running_var}, {@code ReLU}). */
    public String part() {
        if (name.endsWith(RELU_SUFFIX)) {
            return "ReLU";
        }
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }
}
