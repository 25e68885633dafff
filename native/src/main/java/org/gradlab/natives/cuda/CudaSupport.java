package org.gradlab.natives.cuda;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.cuda.global.nvrtc;

/**
 * Detects whether CUDA can be used, without ever crashing the JVM on a machine that has no GPU.
 *
 * <p>Order of checks, stopping at the first missing piece (named in {@link Status#reason()}):
 * <ol>
 *   <li>{@code -Dgradlab.cpuOnly=true} forces "not usable";</li>
 *   <li>the NVIDIA kernel driver: {@code /proc/driver/nvidia/version} must exist (cheap pre-check
 *       done before any native CUDA code is loaded; skip with {@code -Dgradlab.skipDriverCheck=true});</li>
 *   <li>libcudart (+ libcuda) through JavaCPP, then {@code cudaGetDeviceCount > 0};</li>
 *   <li>libcublas, libcudnn and libnvrtc, each loaded independently (a failed load throws
 *       {@link UnsatisfiedLinkError}, which is caught: the JVM keeps running).</li>
 * </ol>
 * Versions of whatever did load are reported even when a later piece is missing.
 *
 * <p>NOTE: the result is computed once per JVM and cached.
 */
public final class CudaSupport {
    /** Where the NVIDIA kernel driver announces itself on Linux. */
    public static final Path DRIVER_FILE = Path.of("/proc/driver/nvidia/version");

    private static volatile Status cached;
    private static final AtomicBoolean PRINTED = new AtomicBoolean();

    private CudaSupport() {}

    /**
     * What was found.
     *
     * @param usable        true when the driver, a device and cudart, cuBLAS, cuDNN, NVRTC all work
     * @param reason        one line: why not usable (naming the missing piece), or a summary when usable
     * @param deviceCount   CUDA devices seen (0 when unknown)
     * @param driverVersion from cudaDriverGetVersion, e.g. 13000 (0 when unknown)
     * @param runtimeVersion from cudaRuntimeGetVersion (0 when unknown)
     * @param cublasVersion  "major.minor.patch" from cublasGetProperty, or null
     * @param cudnnVersion   from cudnnGetVersion, e.g. 91900 (0 when unknown)
     * @param nvrtcVersion   "major.minor" from nvrtcVersion, or null
     * @param deviceName     name of device 0, or null
     * @param deviceMemory   total global memory of device 0 in bytes (0 when unknown)
     * @param ccMajor        compute capability major of device 0 (0 when unknown)
     * @param ccMinor        compute capability minor of device 0
     */
    public record Status(boolean usable, String reason, int deviceCount, int driverVersion, int runtimeVersion,
                         String cublasVersion, long cudnnVersion, String nvrtcVersion, String deviceName,
                         long deviceMemory, int ccMajor, int ccMinor) {
        /** One line with every version found. */
        public String versions() {
            return "CUDA driver " + ver(driverVersion) + ", runtime " + ver(runtimeVersion)
                    + ", cuBLAS " + (cublasVersion == null ? "-" : cublasVersion)
                    + ", cuDNN " + (cudnnVersion == 0 ? "-" : cudnnVersion / 10000 + "." + (cudnnVersion / 100) % 100 + "." + cudnnVersion % 100)
                    + ", NVRTC " + (nvrtcVersion == null ? "-" : nvrtcVersion)
                    + (deviceName == null ? "" : ", device 0: " + deviceName + " (" + (deviceMemory >> 20) + " MiB, sm_" + ccMajor + ccMinor + ")");
        }

        private static String ver(int v) {
            return v == 0 ? "-" : v / 1000 + "." + (v % 1000) / 10;
        }
    }

    /** The (cached) detection result. Never throws. */
    public static Status status() {
        Status s = cached;
        if (s == null) {
            synchronized (CudaSupport.class) {
                s = cached;
                if (s == null) {
                    s = detect(DRIVER_FILE);
                    cached = s;
                }
            }
        }
        return s;
    }

    /** True when CUDA is fully usable. */
    public static boolean isUsable() {
        return status().usable();
    }

    /** Returns the status when usable, else throws {@link IllegalStateException} with the reason. */
    public static Status require() {
        Status s = status();
        if (!s.usable()) {
            throw new IllegalStateException("CUDA is not usable: " + s.reason());
        }
        return s;
    }

    /** Prints the versions line once per JVM (later calls print nothing). */
    public static void printVersionsOnce(PrintStream out) {
        if (PRINTED.compareAndSet(false, true)) {
            Status s = status();
            out.println("[gradlab] CUDA " + (s.usable() ? "usable" : "NOT usable") + ": " + s.reason());
            out.println("[gradlab] " + s.versions());
        }
    }

    /** Runs the detection now, uncached, with the driver file given (package-private for tests). */
    static Status detect(Path driverFile) {
        Builder b = new Builder();
        if (Boolean.getBoolean("gradlab.cpuOnly")) {
            return b.fail("forced CPU only (-Dgradlab.cpuOnly=true)");
        }
        if (!Boolean.getBoolean("gradlab.skipDriverCheck") && !Files.exists(driverFile)) {
            return b.fail("no NVIDIA driver: " + driverFile + " does not exist (no GPU or kernel driver on this machine)");
        }
        // libcudart (the JNI library links libcudart and libcuda)
        String err = tryLoad(cudart.class);
        if (err != null) {
            return b.fail("libcudart/libcuda could not be loaded: " + err);
        }
        try {
            int[] v = {0};
            if (cudart.cudaDriverGetVersion(v) == 0) {
                b.driver = v[0];
            }
            if (cudart.cudaRuntimeGetVersion(v) == 0) {
                b.runtime = v[0];
            }
            int rc = cudart.cudaGetDeviceCount(v);
            if (rc != 0) {
                String msg = cudart.cudaGetErrorString(rc).getString();
                cudart.cudaGetLastError();
                return b.fail("driver/libcudart present but cudaGetDeviceCount failed: error " + rc + " " + msg
                        + (b.driver == 0 ? " (driver not working)" : ""));
            }
            b.devices = v[0];
            if (v[0] <= 0) {
                return b.fail("driver present but 0 CUDA devices");
            }
            try (cudaDeviceProp p = new cudaDeviceProp()) {
                if (cudart.cudaGetDeviceProperties(p, 0) == 0) {
                    b.name = p.name().getString();
                    b.mem = p.totalGlobalMem();
                    b.major = p.major();
                    b.minor = p.minor();
                }
            }
        } catch (Throwable t) {
            return b.fail("libcudart: " + describe(t));
        }
        StringBuilder missing = new StringBuilder();
        err = tryLoad(cublas.class);
        if (err != null) {
            missing.append("libcublas could not be loaded: ").append(err).append("; ");
        } else {
            try {
                int[] maj = {0}, min = {0}, pat = {0};
                cublas.cublasGetProperty(cudart.MAJOR_VERSION, maj);
                cublas.cublasGetProperty(cudart.MINOR_VERSION, min);
                cublas.cublasGetProperty(cudart.PATCH_LEVEL, pat);
                b.cublas = maj[0] + "." + min[0] + "." + pat[0];
            } catch (Throwable t) {
                missing.append("libcublas: ").append(describe(t)).append("; ");
            }
        }
        err = tryLoad(cudnn.class);
        if (err != null) {
            missing.append("libcudnn could not be loaded: ").append(err).append("; ");
        } else {
            try {
                b.cudnn = cudnn.cudnnGetVersion();
            } catch (Throwable t) {
                missing.append("libcudnn: ").append(describe(t)).append("; ");
            }
        }
        err = tryLoad(nvrtc.class);
        if (err != null) {
            missing.append("libnvrtc could not be loaded: ").append(err).append("; ");
        } else {
            try (IntPointer maj = new IntPointer(1); IntPointer min = new IntPointer(1)) {
                nvrtc.nvrtcVersion(maj, min);
                b.nvrtc = maj.get() + "." + min.get();
            } catch (Throwable t) {
                missing.append("libnvrtc: ").append(describe(t)).append("; ");
            }
        }
        if (missing.length() > 0) {
            return b.fail(missing.substring(0, missing.length() - 2));
        }
        return b.ok(b.devices + " CUDA device(s); device 0 " + b.name + " sm_" + b.major + b.minor);
    }

    /** Loads a JavaCPP global class; returns null on success or a description of the failure. */
    static String tryLoad(Class<?> globalClass) {
        try {
            Loader.load(globalClass);
            return null;
        } catch (Throwable e) {   // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
            return describe(e);
        }
    }

    /** JavaCPP's top-level message is "no jniXXX in java.library.path"; the dlopen error is in the cause chain. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = e.getClass().getSimpleName() + ": " + e.getMessage();
        return root != e ? m + " (root: " + root.getMessage() + ")" : m;
    }

    private static final class Builder {
        int devices, driver, runtime, major, minor;
        long cudnn, mem;
        String cublas, nvrtc, name;

        Status fail(String reason) {
            return new Status(false, reason, devices, driver, runtime, cublas, cudnn, nvrtc, name, mem, major, minor);
        }

        Status ok(String reason) {
            return new Status(true, reason, devices, driver, runtime, cublas, cudnn, nvrtc, name, mem, major, minor);
        }
    }
}
