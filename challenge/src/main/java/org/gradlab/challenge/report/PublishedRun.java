package org.gradlab.challenge.report;

/**
 * One row of {@code published-results.csv}: the figures of one experiment as published by the study
 * (validation split, PyTorch on an Apple MPS GPU). Figures that were not published are null.
 *
 * @param id                two-digit experiment id
 * @param name              experiment name
 * @param chapter           chapter number 1..10
 * @param auc               macro one-vs-rest AUC
 * @param melanomaRecall    recall of melanoma
 * @param cancerSensitivity mean recall of akiec, bcc, mel
 * @param accuracy          top-1 accuracy
 * @param params            trainable parameters
 * @param trainSeconds      training wall time on MPS
 */
public record PublishedRun(String id, String name, int chapter, Double auc, Double melanomaRecall,
                           Double cancerSensitivity, Double accuracy, Long params, Double trainSeconds) {
}
