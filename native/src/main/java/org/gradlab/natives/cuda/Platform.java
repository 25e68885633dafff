package org.gradlab.natives.cuda;

import java.util.Locale;

/**
 * Parses {@code --device} values ({@code cpu}, {@code cuda}, {@code cuda:N}, {@code gpu}, {@code mps},
 * {@code auto}) into a {@link Device} with clear errors for what this platform cannot do.
 */
public final class Platform {
    private Platform() {}

    /** Kind of compute device. */
    public enum Kind { CPU, CUDA }

    /** A resolved device: kind and CUDA ordinal (0 for CPU). */
    public record Device(Kind kind, int index) {
        @Override
        public String toString() {
            return kind == Kind.CPU ? "cpu" : "cuda:" + index;
        }
    }

    /** "linux/x86_64" style description of this platform. */
    public static String description() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        if (os.startsWith("linux")) {
            os = "linux";
        } else if (os.startsWith("mac")) {
            os = "macos";
        } else if (os.startsWith("windows")) {
            os = "windows";
        }
        if (arch.equals("amd64")) {
            arch = "x86_64";
        }
        return os + "/" + arch;
    }

    /**
     * Parses a device name without checking CUDA. {@code auto} is not accepted here; use {@link #resolve}.
     *
     * @throws IllegalArgumentException for mps, unknown names and bad ordinals
     */
    public static Device parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "cpu":
                return new Device(Kind.CPU, 0);
            case "cuda":
            case "gpu":
                return new Device(Kind.CUDA, 0);
            case "mps":
                throw new IllegalArgumentException("--device mps: MPS is Apple's Metal backend; not supported on this platform ("
                        + description() + "). Use --device cpu or --device cuda.");
            default:
                if (n.startsWith("cuda:")) {
                    try {
                        int idx = Integer.parseInt(n.substring(5));
                        if (idx >= 0) {
                            return new Device(Kind.CUDA, idx);
                        }
                    } catch (NumberFormatException ignored) {
                        // fall through to the error below
                    }
                    throw new IllegalArgumentException("--device " + name + ": bad CUDA device ordinal (expected cuda:N, N >= 0)");
                }
                throw new IllegalArgumentException("--device " + name + ": unknown device (expected cpu, cuda, cuda:N, auto)");
        }
    }

    /**
     * Resolves a device name, checking CUDA availability: {@code auto} gives CUDA when usable else CPU;
     * an explicit CUDA device that is not usable throws {@link IllegalStateException} with the reason
     * (never a silent fallback to the CPU).
     */
    public static Device resolve(String name) {
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("auto")) {
            return CudaSupport.isUsable() ? new Device(Kind.CUDA, 0) : new Device(Kind.CPU, 0);
        }
        Device d = parse(n);
        if (d.kind() == Kind.CUDA) {
            CudaSupport.Status s = CudaSupport.require();
            if (d.index() >= s.deviceCount()) {
                throw new IllegalStateException("--device " + name + ": only " + s.deviceCount() + " CUDA device(s) present");
            }
        }
        return d;
    }
}
