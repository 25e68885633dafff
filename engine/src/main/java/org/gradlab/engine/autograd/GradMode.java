package org.gradlab.engine.autograd;

/**
 * A no-grad scope: ops run inside it record nothing.
 *
 * <pre>{@code try (GradMode ng = GradMode.noGrad()) { ... } }</pre>
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[1]);
    private boolean closed;

    private GradMode() {
        DISABLED.get()[0]++;
    }

    public static GradMode noGrad() {
        return new GradMode();
    }

    public static boolean isEnabled() {
        return DISABLED.get()[0] == 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            DISABLED.get()[0]--;
        }
    }
}
