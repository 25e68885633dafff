package org.gradlab.engine.backend;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.Loader;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.natives.Blas;
import org.gradlab.natives.cuda.CudaSupport;

/**
 * What this machine gives the engine, for {@code ./gradlab doctor}: Java, OS and architecture (and the
 * JavaCPP platform), the BLAS library with its kernel choice and threads, huge pages, and CUDA's pieces (driver,
 * runtime, cuBLAS, cuDNN, NVRTC) with exactly what is missing. Never throws: a piece that cannot be
 * loaded is reported as such.
 */
public final class MachineReport {
    private MachineReport() {
    }

    /** Writes the report, one piece per line (indented lines belong to the piece above). */
    public static void write(PrintStream out) {
        out.printf("Java: %s (%s), %s%n", System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("java.home"));
        out.printf("OS/arch: %s %s %s; JavaCPP platform %s; %d CPUs; max heap %d MiB%n", System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"), Loader.getPlatform(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        out.printf("CPU kernels: %d threads (--threads N, GRADLAB_THREADS or -Dgradlab.threads sets it; default every core)%n",
                org.gradlab.engine.backend.cpu.Parallel.threads());
        out.println("Vector kernels: " + org.gradlab.engine.backend.cpu.VectorLanes.describe());
        blas(out);
        hugePages(out);
        cuda(out);
    }

    /** One tensor's memory first (a slab of the host arena), then what the process got. */
    private static void hugePages(PrintStream out) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor.full(DType.F32, Device.CPU, 1.0, 1 << 20); // 4 MiB written: two huge pages where they are given
            out.println(HugePages.report());
        } catch (Throwable t) {
            out.println("Huge pages: unknown (" + t + ")");
        }
    }

    /** True when CUDA is usable here. */
    public static boolean cudaUsable() {
        return CudaSupport.status().usable();
    }

    private static void blas(PrintStream out) {
        try {
            String lib = Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
            String core = System.getenv("OPENBLAS_CORETYPE");
            String threadsFrom = System.getProperty("gradlab.blasThreads") != null ? "-Dgradlab.blasThreads"
                    : System.getenv("GRADLAB_BLAS_THREADS") != null ? "GRADLAB_BLAS_THREADS" : "default";
            out.printf("BLAS: %s (%s)%n", org.bytedeco.openblas.global.openblas_nolapack.OPENBLAS_VERSION.trim(), lib);
            out.printf("  kernels: %s; CPU: %s%n", core == null || core.isBlank()
                    ? "chosen by OpenBLAS for this CPU at load (OPENBLAS_CORETYPE unset)"
                    : "forced by OPENBLAS_CORETYPE=" + core, cpuModel());
            out.printf("  threads: %d (%s; GRADLAB_BLAS_THREADS or -Dgradlab.blasThreads sets it)%n", Blas.threads(), threadsFrom);
        } catch (Throwable t) {
            out.println("BLAS: OpenBLAS could not be loaded for " + Loader.getPlatform() + ": " + t
                    + " (build on this machine so the natives for its platform are on the class path)");
        }
    }

    private static void cuda(PrintStream out) {
        String platform = Loader.getPlatform();
        boolean natives = MachineReport.class.getClassLoader().getResource("org/bytedeco/cuda/" + platform + "/") != null;
        CudaSupport.Status s = CudaSupport.status();
        out.println("CUDA: " + (s.usable() ? "usable: " : "not usable: ") + s.reason());
        out.println("  " + s.versions());
        out.println("  driver file " + CudaSupport.DRIVER_FILE + ": " + (Files.exists(CudaSupport.DRIVER_FILE) ? driverLine() : "absent"));
        out.println("  CUDA JNI natives for " + platform + " on the class path: " + (natives ? "yes"
                : "no (the cuda profile adds them; it turns itself on where the NVIDIA driver is installed, or -Pcuda)"));
    }

    private static String driverLine() {
        try {
            return Files.readAllLines(CudaSupport.DRIVER_FILE).stream().findFirst().orElse("(empty)").trim();
        } catch (IOException e) {
            return "present, unreadable: " + e.getMessage();
        }
    }

    private static String cpuModel() {
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            try {
                return Files.readAllLines(info).stream().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(System.getProperty("os.arch"));
            } catch (IOException e) {
                return System.getProperty("os.arch");
            }
        }
        return System.getProperty("os.arch");
    }
}
