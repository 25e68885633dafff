package org.gradlab.nn.data.sampling;

import java.util.Arrays;
import org.gradlab.engine.Generator;

/** The dataset indices of every class, for the class-aware samplers. */
final class ClassIndex {
    private ClassIndex() {}

    /** {@code result[c]} = the indices i with labels[i] == c, ascending. */
    static int[][] byClass(int[] labels, int numClasses) {
        int[] counts = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("sampler: label " + labels[i] + " at index " + i + " is outside [0, "
                        + numClasses + ")");
            }
            counts[labels[i]]++;
        }
        int[][] out = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) {
            out[c] = new int[counts[c]];
        }
        int[] fill = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            out[labels[i]][fill[labels[i]]++] = i;
        }
        return out;
    }

    /** Fisher–Yates shuffle of {@code a} in place. */
    static int[] shuffle(int[] a, Generator g) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = g.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    static int[] copy(int[] a) {
        return Arrays.copyOf(a, a.length);
    }
}
