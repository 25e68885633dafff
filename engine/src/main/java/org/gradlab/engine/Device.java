package org.gradlab.engine;

import java.util.Locale;

/** Where a tensor's numbers live: the host ({@code cpu}) or an NVIDIA GPU ({@code cuda:N}). */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /**
     * Parses {@code cpu}, {@code cuda}, {@code cuda:N}. {@code mps} is Apple's Metal backend and
     * is refused with a clear message; anything else names what was expected.
     */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("cuda")) {
            return cuda(0);
        }
        if (t.startsWith("cuda:")) {
            return cuda(Integer.parseInt(t.substring(5)));
        }
        if (t.equals("mps")) {
            throw new IllegalArgumentException("device 'mps' is Apple's Metal backend: not supported on this platform ("
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + "); use cpu or cuda");
        }
        throw new IllegalArgumentException("unknown device '" + text + "': expected cpu, cuda or cuda:N");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
