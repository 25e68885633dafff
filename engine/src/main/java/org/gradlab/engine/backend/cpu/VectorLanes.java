package org.gradlab.engine.backend.cpu;

/**
 * Whether the kernels written with the JDK's vector API ({@code jdk.incubator.vector}) run:
 * only when the JVM was started with {@code --add-modules jdk.incubator.vector} (the launchers
 * and the build's test runs do) and {@code -Dgradlab.cpu.vector=false} does not turn them off.
 * Without them the same ops take their plain-Java loops (tested against the same references).
 *
 * <p>NOTE: the two versions add the same products in different orders, so a run with the vector
 * kernels and one without differ in the last bits; each is deterministic at a fixed thread count.
 * {@code ./gradlab doctor} and every benchmark header say which ran. NOTE: nothing outside the
 * classes that use the API may name one of its types: a class that does is loaded (and fails
 * without the module) only when {@link #ENABLED} sends a call to it.
 */
public final class VectorLanes {
    /** The JDK module of the vector API. */
    public static final String MODULE = "jdk.incubator.vector";
    /** The property that turns the vector kernels off ({@code false}). */
    public static final String PROPERTY = "gradlab.cpu.vector";
    private static final boolean PRESENT = ModuleLayer.boot().findModule(MODULE).isPresent();
    static final boolean ENABLED = PRESENT && !"false".equalsIgnoreCase(System.getProperty(PROPERTY));

    private VectorLanes() {}

    /** Whether this JVM has the vector API's module (a JVM it starts should get {@code --add-modules} too). */
    public static boolean modulePresent() {
        return PRESENT;
    }

    /** Whether the vector kernels run in this JVM. */
    public static boolean enabled() {
        return ENABLED;
    }

    /** One line for doctor and benchmark headers: on (with the lane count) or off and why. */
    public static String describe() {
        if (ENABLED) {
            return "on (" + TapSums32.lanes() + " float lanes, " + MODULE + ")";
        }
        if (PRESENT) {
            return "off (-D" + PROPERTY + "=false); the plain loops run";
        }
        return "off: the JVM lacks --add-modules " + MODULE + " (the launchers pass it); the plain loops run";
    }
}
