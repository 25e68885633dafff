package org.gradlab.nn.golden;

import java.util.Locale;

/**
 * One golden comparison: max|actual - ref| against {@code atol + rtol * max|ref|}.
 * relErr = max|diff| / max|ref| (the README's relative error).
 */
public record Check(String name, double maxAbsDiff, double maxAbsRef, double rtol, double atol, double[] actual, double[] ref) {
    /** A check without arrays (e.g. a relative L2 error: maxAbsDiff = ||diff||, maxAbsRef = ||ref||). */
    public Check(String name, double maxAbsDiff, double maxAbsRef, double rtol, double atol) {
        this(name, maxAbsDiff, maxAbsRef, rtol, atol, null, null);
    }

    public boolean passed() {
        return maxAbsDiff <= atol + rtol * maxAbsRef && !Double.isNaN(maxAbsDiff);
    }

    public double relErr() {
        return maxAbsRef == 0 ? (maxAbsDiff == 0 ? 0 : Double.POSITIVE_INFINITY) : maxAbsDiff / maxAbsRef;
    }

    /** Compares two equally long arrays. */
    public static Check of(String name, double[] actual, double[] ref, double rtol, double atol) {
        if (actual.length != ref.length) {
            return new Check(name + " (length " + actual.length + " vs " + ref.length + ")", Double.NaN, 0, rtol, atol, actual, ref);
        }
        double d = 0;
        double r = 0;
        for (int i = 0; i < ref.length; i++) {
            double diff = Math.abs(actual[i] - ref[i]);
            d = Double.isNaN(diff) ? Double.NaN : Math.max(d, diff);
            r = Math.max(r, Math.abs(ref[i]));
        }
        return new Check(name, d, r, rtol, atol, actual, ref);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %-52s maxAbsDiff %.3e relErr %.3e (rtol %.0e, atol %.0e)",
                passed() ? "ok  " : "FAIL", name, maxAbsDiff, relErr(), rtol, atol);
    }
}
