package org.gradlab.challenge.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.gradlab.engine.backend.MachineReport;
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
        MachineReport.write(out);
        if (!MachineReport.cudaUsable()) {
            out.println(GPU_HELP);
        }
    }
}
