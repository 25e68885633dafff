package org.gradlab.challenge.data;

/** Turns an exception into a one-line reason a user can act on. */
public final class Failures {
    private Failures() {}

    /**
     * The exception's type and the first non-empty message along its cause chain, e.g.
     * {@code "ConnectException caused by UnresolvedAddressException"} or
     * {@code "UnknownHostException: zenodo.org"}.
     * NOTE: java.net.http reports an unreachable host as a ConnectException whose message is null;
     * printing getMessage() alone would say "null".
     */
    public static String describe(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            out.append(out.length() == 0 ? "" : " caused by ").append(t.getClass().getSimpleName());
            String m = t.getMessage();
            if (m != null && !m.isBlank()) {
                return out.append(": ").append(m).toString();
            }
        }
        return out.toString();
    }
}
