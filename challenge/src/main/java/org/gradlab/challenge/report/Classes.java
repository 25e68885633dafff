package org.gradlab.challenge.report;

import java.util.List;

/** The 7 DermaMNIST classes in MedMNIST index order, and the cancer subset. */
public final class Classes {
    /** Number of classes. */
    public static final int COUNT = 7;
    /** Short class names by index: akiec, bcc, bkl, df, mel, nv, vasc. */
    public static final List<String> NAMES = List.of("akiec", "bcc", "bkl", "df", "mel", "nv", "vasc");
    /** Index of melanoma. */
    public static final int MELANOMA = 4;
    /** Indices of the cancer classes akiec, bcc, mel. */
    public static final List<Integer> CANCERS = List.of(0, 1, 4);

    private Classes() {
    }
}
