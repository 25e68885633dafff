package org.gradlab.engine.ops;

import java.util.Arrays;
import org.gradlab.engine.Shape;

/** Axis-list helpers for reductions. */
final class Axes {
    private Axes() {}

    /** Normalised, sorted, distinct axes. */
    static int[] normalise(String op, int[] axes, int rank) {
        int[] a = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            a[i] = Shape.axis(op, axes[i], rank);
        }
        Arrays.sort(a);
        for (int i = 1; i < a.length; i++) {
            if (a[i] == a[i - 1]) {
                throw new IllegalArgumentException(op + ": axis " + a[i] + " repeated");
            }
        }
        return a;
    }

    /** The shape a keepdim=false reduction result has with the reduced axes restored as 1. */
    static int[] keptShape(int[] inShape, int[] axes) {
        int[] s = inShape.clone();
        for (int a : axes) {
            s[a] = 1;
        }
        return s;
    }
}
