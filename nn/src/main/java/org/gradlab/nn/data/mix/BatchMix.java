package org.gradlab.nn.data.mix;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;

/**
 * A transform of a whole mini-batch that mixes samples with each other (Mixup, CutMix): needs
 * the batch, its integer labels and the number of classes, and draws everything from
 * {@code rng} (the same generator state gives the same batch).
 */
public interface BatchMix {
    MixedBatch apply(Tensor images, int[] labels, int numClasses, Generator rng);

    /** Soft targets {@code lambda * onehot(y_i) + (1 - lambda) * onehot(y_perm[i])}, (N, classes), float64 values. */
    static double[] softTargets(int[] labels, int[] perm, double lambda, int numClasses) {
        int n = labels.length;
        double[] t = new double[n * numClasses];
        for (int y : labels) {
            checkLabel(y, numClasses);
        }
        for (int i = 0; i < n; i++) {
            t[i * numClasses + labels[i]] += lambda;
            t[i * numClasses + labels[perm[i]]] += 1 - lambda;
        }
        return t;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates, as torch.randperm's role). */
    static int[] permutation(int n, Generator rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Checks that {@code perm} is a permutation of 0..n-1. */
    static void checkPermutation(int[] perm, int n) {
        if (perm.length != n) {
            throw new IllegalArgumentException("batch mix: expected a permutation of " + n + " indices, got " + perm.length);
        }
        boolean[] seen = new boolean[n];
        for (int p : perm) {
            if (p < 0 || p >= n || seen[p]) {
                throw new IllegalArgumentException("batch mix: expected a permutation of 0.." + (n - 1) + ", got " + java.util.Arrays.toString(perm));
            }
            seen[p] = true;
        }
    }

    private static void checkLabel(int y, int numClasses) {
        if (y < 0 || y >= numClasses) {
            throw new IllegalArgumentException("batch mix: expected labels in [0, " + numClasses + "), got " + y);
        }
    }

    /** (N,C,H,W) images, as required by every batch mix. */
    static int[] checkImages(Tensor images, int[] labels) {
        int[] s = images.shape();
        if (s.length != 4 || s[0] != labels.length) {
            throw new IllegalArgumentException("batch mix: expected images (N,C,H,W) with N = " + labels.length
                    + " labels, got " + org.gradlab.engine.Shape.str(s));
        }
        return s;
    }
}
