package org.gradlab.engine;

/**
 * How a loss combines its per-sample values: {@code MEAN} (weighted mean, see each loss),
 * {@code SUM}, or {@code NONE} (one value per sample, shape (N)).
 */
public enum Reduction {
    MEAN, SUM, NONE
}
