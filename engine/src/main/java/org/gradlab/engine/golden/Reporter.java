package org.gradlab.engine.golden;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects one {@link Line} per compared array (printing it when given a stream):
 * {@code file case group array  maxAbsErr relErr tol PASS|FAIL}.
 */
public final class Reporter {
    /** One comparison; {@code note} explains a failure that is not a numeric mismatch (shape, exception). */
    public record Line(String file, String caseName, String group, String array, double maxAbsErr, double relErr,
                       Tolerance tol, boolean pass, String note) {
        public String format() {
            String s = String.format("%s %s %s %s  %.3e %.3e %s %s", file, caseName, group, array, maxAbsErr, relErr,
                    tol == null ? "-" : tol, pass ? "PASS" : "FAIL");
            return note == null ? s : s + "  (" + note + ")";
        }
    }

    /** A fixture file, or one case of it, that nothing compares (listed, never skipped silently). */
    public record NotChecked(String file, String caseName, String why) {
        public String format() {
            return file + " " + caseName + "  not checked: " + why;
        }
    }

    private final PrintStream out;
    private final List<Line> lines = new ArrayList<>();
    private final List<NotChecked> notChecked = new ArrayList<>();

    /** @param out where each line is printed as it is produced, or null for silent collection */
    public Reporter(PrintStream out) {
        this.out = out;
    }

    /** Compares two arrays of equal length; returns whether it passed. */
    public boolean compare(String file, String caseName, String group, String array, double[] actual, double[] ref,
                           Tolerance tol) {
        if (actual.length != ref.length) {
            return fail(file, caseName, group, array, "engine gave " + actual.length + " values, reference has " + ref.length);
        }
        double maxAbs = 0;
        double maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(actual[i] - ref[i]);
            maxAbs = Double.isNaN(d) ? Double.NaN : Math.max(maxAbs, d);
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            if (Double.isNaN(maxAbs)) {
                break;
            }
        }
        double rel = maxRef == 0 ? maxAbs : maxAbs / maxRef;
        boolean pass = tol.accepts(maxAbs, maxRef);
        return add(new Line(file, caseName, group, array, maxAbs, rel, tol, pass, null));
    }

    /** Records a failure that has no numbers (missing array, shape mismatch, exception). */
    public boolean fail(String file, String caseName, String group, String array, String why) {
        return add(new Line(file, caseName, group, array, Double.NaN, Double.NaN, null, false, why));
    }

    /**
     * Records that {@code caseName} of {@code file} ("-" for the whole file) is not compared, and
     * why. NOTE: a file may be shared by suites (soft_cross_entropy.npz: the loss cases in the
     * engine, Mixup/CutMix in nn), so this is listed by {@link #notChecked()} at the end, not printed now.
     */
    public void notChecked(String file, String caseName, String why) {
        notChecked.add(new NotChecked(file, caseName, why));
    }

    /** The recorded not-checked cases that no suite compared anything of. */
    public List<NotChecked> notChecked() {
        return notChecked.stream().filter(n -> lines.stream().noneMatch(l -> l.file().equals(n.file())
                && l.caseName().equals(n.caseName()))).toList();
    }

    private boolean add(Line l) {
        lines.add(l);
        if (out != null) {
            out.println(l.format());
        }
        return l.pass();
    }

    public List<Line> lines() {
        return Collections.unmodifiableList(lines);
    }

    public List<Line> failures() {
        return lines.stream().filter(l -> !l.pass()).toList();
    }

    /** Worst relative error over the lines of {@code file} and {@code group} (NaN if any line has none). */
    public double worstRelErr(String file, String group) {
        return worstRelErr(file, group, false);
    }

    /**
     * As above; with {@code relativeOnly}, lines judged by an absolute tolerance alone (rtol 0:
     * references that are exactly 0 in theory, such as a conv bias gradient before BatchNorm) are
     * left out, since their "relative" error divides by PyTorch's rounding noise (1e8 and more).
     */
    public double worstRelErr(String file, String group, boolean relativeOnly) {
        double w = 0;
        for (Line l : lines) {
            if (relativeOnly && l.tol() != null && l.tol().rtol() == 0) {
                continue;
            }
            if (l.file().equals(file) && l.group().equals(group)) {
                w = Double.isNaN(l.relErr()) ? Double.NaN : Math.max(w, l.relErr());
            }
        }
        return w;
    }

    public long count(String file) {
        return lines.stream().filter(l -> l.file().equals(file)).count();
    }
}
