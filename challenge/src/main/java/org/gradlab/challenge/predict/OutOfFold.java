package org.gradlab.challenge.predict;

/**
 * Out-of-fold predictions ("In CV we trust"): each fold model scores only the samples it did not train on, and the
 * k folds together give one prediction per sample of the whole set, scored as one (the Kaggle way, rather than the
 * mean of k fold scores). Refuses a sample predicted twice, and a table read before every sample has its prediction.
 */
public final class OutOfFold {
    private final double[][] predictions;
    private int filled;

    public OutOfFold(int samples) {
        this.predictions = new double[samples][];
    }

    /** The predictions of one fold model for the samples {@code indices} (row k belongs to sample indices[k]). */
    public void put(int[] indices, double[][] probs) {
        if (indices.length != probs.length) {
            throw new IllegalArgumentException("out-of-fold: " + probs.length + " predictions for " + indices.length + " samples");
        }
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (predictions[i] != null) {
                throw new IllegalStateException("out-of-fold: sample " + i + " was already predicted by another fold");
            }
            predictions[i] = probs[k].clone();
            filled++;
        }
    }

    public boolean complete() {
        return filled == predictions.length;
    }

    /** One prediction per sample; fails while some sample has none. */
    public double[][] predictions() {
        if (!complete()) {
            for (int i = 0; i < predictions.length; i++) {
                if (predictions[i] == null) {
                    throw new IllegalStateException("out-of-fold: " + (predictions.length - filled) + " of "
                            + predictions.length + " samples have no prediction yet (first: " + i + ")");
                }
            }
        }
        return predictions.clone();
    }
}
