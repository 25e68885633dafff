package org.gradlab.challenge.run;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One epoch of an experiment: training loss and accuracy, the validation scores after it, the lr it trained at. */
public record EpochRecord(@JsonProperty("epoch") int epoch, @JsonProperty("train_loss") double trainLoss,
                          @JsonProperty("train_accuracy") double trainAccuracy, @JsonProperty("val_loss") double valLoss,
                          @JsonProperty("val_auc") double valAuc, @JsonProperty("val_accuracy") double valAccuracy,
                          @JsonProperty("val_balanced_accuracy") double valBalancedAccuracy, @JsonProperty("lr") double lr,
                          @JsonProperty("seconds") double seconds) {

    /** The value early stopping watches; larger is better for all but val_loss. */
    public double monitored(String monitor) {
        return switch (monitor) {
            case "val_auc" -> valAuc;
            case "val_loss" -> valLoss;
            case "val_accuracy" -> valAccuracy;
            case "val_balanced_accuracy" -> valBalancedAccuracy;
            default -> throw new IllegalArgumentException("unknown monitor '" + monitor + "'");
        };
    }

    /** Whether {@code value} beats {@code best} for {@code monitor} (NaN never does). */
    public static boolean improves(String monitor, double value, double best) {
        if (Double.isNaN(value)) {
            return false;
        }
        return Double.isNaN(best) || (monitor.equals("val_loss") ? value < best : value > best);
    }
}
