package org.gradlab.nn.golden;

import java.util.ArrayList;
import java.util.List;

/** The checks of one whole-model golden run. */
public final class GoldenReport {
    private final String name;
    private final List<Check> checks = new ArrayList<>();

    public GoldenReport(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void add(Check c) {
        checks.add(c);
    }

    public List<Check> checks() {
        return checks;
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    public boolean passed() {
        return failures().isEmpty() && !checks.isEmpty();
    }

    /** Largest relative error over all checks whose name starts with {@code prefix}. */
    public double worstRelErr(String prefix) {
        return checks.stream().filter(c -> c.name().startsWith(prefix)).mapToDouble(Check::relErr).max().orElse(0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append(": ").append(checks.size() - failures().size()).append('/')
                .append(checks.size()).append(" checks passed\n");
        checks.forEach(c -> sb.append("  ").append(c).append('\n'));
        return sb.toString();
    }
}
