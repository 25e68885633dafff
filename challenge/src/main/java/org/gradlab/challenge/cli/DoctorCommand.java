package org.gradlab.challenge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Loader;
import org.gradlab.natives.Blas;
import org.gradlab.natives.cuda.CudaSupport;
import picocli.CommandLine.Command;

/**
 * {@code ./gradlab doctor}: what this machine gives GradLab — Java, OS and architecture, the BLAS
 * library with its kernel choice and threads, and CUDA's pieces (driver, runtime, cuBLAS, cuDNN,
 * NVRTC) with exactly what is missing and what to install for an NVIDIA GPU.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Report Java, OS/arch, the BLAS library (kernels, threads) and CUDA (versions, or what is missing).")
public final class DoctorCommand implements Callable<Integer> {
    /** What a user with an NVIDIA GPU installs (README's GPU section says the same). */
    static final String GPU_HELP = """
            To use an NVIDIA GPU (Linux x86-64 / arm64):
              1. the NVIDIA driver, release 580 or newer (what CUDA 13 needs; check with nvidia-smi);
              2. the CUDA 13 runtime with cuBLAS and NVRTC, and cuDNN 9, on the library path
                 (e.g. the cuda-toolkit-13 and cudnn9-cuda-13 packages), or let Maven bring the
                 presets' redistributable libraries: ./mvnw -Pcuda-redist ... (several GB);
              3. build where the driver is installed (the cuda profile turns itself on there, or
                 pass -Pcuda), then run with --device cuda (or auto).""";

    @Override
    public Integer call() {
        report(System.out);
        return 0;
    }

    static void report(PrintStream out) {
        out.println("GradLab " + BuildVersion.version());
        out.printf("Java: %s (%s), %s%n", System.getProperty("java.version"), System.getProperty("java.vendor"),
                System.getProperty("java.home"));
        out.printf("OS/arch: %s %s %s; JavaCPP platform %s; %d CPUs; max heap %d MiB%n", System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("os.arch"), Loader.getPlatform(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        blas(out);
        cuda(out);
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
        boolean natives = DoctorCommand.class.getClassLoader().getResource("org/bytedeco/cuda/" + platform + "/") != null;
        CudaSupport.Status s = CudaSupport.status();
        out.println("CUDA: " + (s.usable() ? "usable: " : "not usable: ") + s.reason());
        out.println("  " + s.versions());
        out.println("  driver file " + CudaSupport.DRIVER_FILE + ": " + (Files.exists(CudaSupport.DRIVER_FILE) ? driverLine() : "absent"));
        out.println("  CUDA JNI natives for " + platform + " on the class path: " + (natives ? "yes"
                : "no (the cuda profile adds them; it turns itself on where the NVIDIA driver is installed, or -Pcuda)"));
        if (!s.usable()) {
            out.println(GPU_HELP);
        }
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
