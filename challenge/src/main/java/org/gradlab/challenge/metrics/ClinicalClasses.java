package org.gradlab.challenge.metrics;

/**
 * Which class indices count as melanoma and as cancer for the clinical metrics.
 *
 * @param melanoma index of the melanoma class
 * @param cancers  indices of all malignant classes (should include {@code melanoma})
 */
public record ClinicalClasses(int melanoma, int[] cancers) {
    /** DermaMNIST: 0 akiec, 1 bcc, 2 bkl, 3 df, 4 mel, 5 nv, 6 vasc; cancers = akiec, bcc, mel. */
    public static final ClinicalClasses DERMAMNIST = new ClinicalClasses(4, new int[] {0, 1, 4});

    public ClinicalClasses {
        cancers = cancers.clone();
    }

    @Override
    public int[] cancers() {
        return cancers.clone();
    }

    boolean isCancer(int c) {
        for (int k : cancers) if (k == c) return true;
        return false;
    }
}
