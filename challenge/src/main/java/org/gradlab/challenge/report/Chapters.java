package org.gradlab.challenge.report;

import java.util.List;

/** Titles of the 10 chapters of the "Beat the Baseline" study, numbered from 1. */
public final class Chapters {
    private static final List<String> TITLES = List.of(
            "The Baseline", "Fix the Optimizer", "Build a Better Architecture", "Data Augmentation",
            "Handle Class Imbalance", "Batch Size & Epochs", "Learning Rate Scheduling", "Stack the Wins",
            "Transfer Learning", "The Kitchen Sink");

    private Chapters() {
    }

    /** Number of chapters. */
    public static int count() {
        return TITLES.size();
    }

    /** Title of chapter {@code n} (1-based), or "Chapter n" when unknown. */
    public static String title(int n) {
        return n >= 1 && n <= TITLES.size() ? TITLES.get(n - 1) : "Chapter " + n;
    }

    /** "n. Title" label for charts and tables. */
    public static String label(int n) {
        return n + ". " + title(n);
    }
}
