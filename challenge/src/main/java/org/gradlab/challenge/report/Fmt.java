package org.gradlab.challenge.report;

import java.util.Locale;

/** Locale-independent number formatting; missing values (null, NaN) render as a dash or an empty cell. */
final class Fmt {
    static final String DASH = "—";

    private Fmt() {
    }

    static boolean present(Double v) {
        return v != null && !v.isNaN() && !v.isInfinite();
    }

    /** {@code v} with {@code decimals} decimals, or the dash. */
    static String num(Double v, int decimals) {
        return present(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : DASH;
    }

    /** {@code v} as a percentage without decimals, or the dash. */
    static String pct(Double v) {
        return present(v) ? String.format(Locale.ROOT, "%.0f%%", 100 * v) : DASH;
    }

    /** Signed difference with 3 decimals, or the dash. */
    static String delta(Double v) {
        return present(v) ? String.format(Locale.ROOT, "%+.3f", v) : DASH;
    }

    /** Thousands-separated integer, or the dash. */
    static String count(Long v) {
        return v != null && v > 0 ? String.format(Locale.ROOT, "%,d", v) : DASH;
    }

    /** Seconds with one decimal, or the dash. */
    static String secs(Double v) {
        return present(v) ? String.format(Locale.ROOT, "%.1f", v) : DASH;
    }

    /** Plain machine-readable CSV cell: empty for missing values, else the shortest round-trip form. */
    static String csv(Double v) {
        return present(v) ? stripZeros(String.format(Locale.ROOT, "%.6f", v)) : "";
    }

    private static String stripZeros(String s) {
        if (!s.contains(".")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
