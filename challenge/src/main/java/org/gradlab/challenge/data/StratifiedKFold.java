package org.gradlab.challenge.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Stratified k-fold assignment: every sample goes to exactly one of k folds and each class is spread over the folds
 * as evenly as whole samples allow (its per-fold counts differ by at most one). Per class the samples are shuffled
 * (seeded) and dealt round-robin; the dealing continues from fold to fold across classes, so fold sizes also differ
 * by at most one. With {@code stratify = false} the whole set is shuffled and dealt.
 */
public final class StratifiedKFold {
    private StratifiedKFold() {}

    /** The fold (0..k−1) of every sample. */
    public static int[] assign(int[] labels, int numClasses, int folds, boolean stratify, long seed) {
        if (folds < 2) {
            throw new IllegalArgumentException("k-fold: expected at least 2 folds, got " + folds);
        }
        if (folds > labels.length) {
            throw new IllegalArgumentException("k-fold: " + folds + " folds for " + labels.length + " samples");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<int[]> groups = new ArrayList<>();
        if (stratify) {
            int[] counts = new int[numClasses];
            for (int l : labels) {
                if (l < 0 || l >= numClasses) {
                    throw new IllegalArgumentException("k-fold: label " + l + " outside [0, " + numClasses + ")");
                }
                counts[l]++;
            }
            for (int c = 0; c < numClasses; c++) {
                int[] g = new int[counts[c]];
                for (int i = 0, j = 0; i < labels.length; i++) {
                    if (labels[i] == c) {
                        g[j++] = i;
                    }
                }
                groups.add(g);
            }
        } else {
            int[] all = new int[labels.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            groups.add(all);
        }
        int[] fold = new int[labels.length];
        int next = 0;
        for (int[] g : groups) {
            for (int i = g.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = g[i];
                g[i] = g[j];
                g[j] = t;
            }
            for (int idx : g) {
                fold[idx] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }

    /** The indices whose fold is (or, with {@code in = false}, is not) {@code f}, ascending. */
    public static int[] indices(int[] assignment, int f, boolean in) {
        int n = 0;
        for (int a : assignment) {
            n += (a == f) == in ? 1 : 0;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < assignment.length; i++) {
            if ((assignment[i] == f) == in) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** Two splits of the same image shape as one (e.g. train + validation for cross-validation). */
    public static Split concat(String name, Split a, Split b) {
        if (a.h() != b.h() || a.w() != b.w() || a.c() != b.c()) {
            throw new IllegalArgumentException("cannot join " + a.name() + " (" + a.h() + "x" + a.w() + "x" + a.c() + ") and "
                    + b.name() + " (" + b.h() + "x" + b.w() + "x" + b.c() + ")");
        }
        if (!a.inMemory() || !b.inMemory()) {
            return new Split(name, SplitImages.join(a.pixels(), a.n(), b.pixels()), joinLabels(a, b), a.n() + b.n(), a.h(),
                    a.w(), a.c());
        }
        byte[] img = new byte[a.images().length + b.images().length];
        System.arraycopy(a.images(), 0, img, 0, a.images().length);
        System.arraycopy(b.images(), 0, img, a.images().length, b.images().length);
        return new Split(name, img, joinLabels(a, b), a.n() + b.n(), a.h(), a.w(), a.c());
    }

    private static int[] joinLabels(Split a, Split b) {
        int[] lab = new int[a.n() + b.n()];
        System.arraycopy(a.labels(), 0, lab, 0, a.n());
        System.arraycopy(b.labels(), 0, lab, a.n(), b.n());
        return lab;
    }

    /** The samples {@code idx} of {@code s}, in that order. */
    public static Split subset(String name, Split s, int[] idx) {
        int size = s.imageSize();
        int[] lab = new int[idx.length];
        if (!s.inMemory()) { // a view of the images read from disk
            for (int k = 0; k < idx.length; k++) {
                lab[k] = s.labels()[idx[k]];
            }
            return new Split(name, SplitImages.subset(s.pixels(), idx), lab, idx.length, s.h(), s.w(), s.c());
        }
        byte[] img = new byte[idx.length * size];
        for (int k = 0; k < idx.length; k++) {
            System.arraycopy(s.images(), idx[k] * size, img, k * size, size);
            lab[k] = s.labels()[idx[k]];
        }
        return new Split(name, img, lab, idx.length, s.h(), s.w(), s.c());
    }
}
