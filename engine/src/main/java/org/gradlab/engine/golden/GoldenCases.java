package org.gradlab.engine.golden;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gradlab.engine.io.Npz;

/**
 * The registry of golden suites that {@link GoldenVerify} runs. Engine suites are listed in
 * {@link #BUILT_IN} (add one line there); other modules call {@link #register} (e.g. from a
 * static initialiser or their own CLI) to add model-level suites.
 */
public final class GoldenCases {
    private static final List<GoldenSuite> BUILT_IN = List.of(
            new BatchNorm2dSuite(),
            new CrossEntropySuite(),
            new ReluSuite(),
            new AddSuite(),
            new ReshapeSuite(),
            new LinearSuite(),
            new Conv2dSuite(),
            new MaxPool2dSuite(),
            new AvgPoolSuite(),
            new ActivationsSuite(),
            new LayerNormSuite(),
            new AttentionSuite(),
            new SoftCrossEntropySuite());
    private static final List<GoldenSuite> EXTRA = new CopyOnWriteArrayList<>();

    private GoldenCases() {}

    /** Adds a suite (a second suite for the same file is allowed: both run). Idempotent per instance. */
    public static void register(GoldenSuite suite) {
        if (!EXTRA.contains(suite)) {
            EXTRA.add(suite);
        }
    }

    /** The engine's own single-op suites (no suites registered by other modules or tests). */
    public static List<GoldenSuite> builtIn() {
        return BUILT_IN;
    }

    /** Every registered suite: built-in first, then registered ones in order. */
    public static List<GoldenSuite> all() {
        List<GoldenSuite> all = new ArrayList<>(BUILT_IN);
        all.addAll(EXTRA);
        return all;
    }

    /** The first suite for {@code fileName}. */
    public static Optional<GoldenSuite> forFile(String fileName) {
        return all().stream().filter(s -> s.fileName().equals(fileName)).findFirst();
    }

    /**
     * Case names of a fixture, from keys {@code <case>.<group>.<name>} (case names contain no
     * dots; the {@code meta} group alone does not make a case).
     */
    public static Set<String> caseNames(Npz npz) {
        Set<String> cases = new TreeSet<>();
        for (String k : npz.keys()) {
            String[] p = k.split("\\.", 3);
            if (p.length == 3 && !p[1].equals("meta")) {
                cases.add(p[0]);
            }
        }
        return cases;
    }
}
