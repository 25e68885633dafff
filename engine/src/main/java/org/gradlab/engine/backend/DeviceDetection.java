package org.gradlab.engine.backend;

import java.io.PrintStream;
import java.util.Locale;
import org.gradlab.engine.Device;
import org.gradlab.natives.cuda.CudaSupport;

/**
 * Which devices this machine can run on, for the layers above the engine (they never touch
 * {@code native/} themselves). Detection never crashes the JVM on a machine without a GPU.
 */
public final class DeviceDetection {
    /** Whether CUDA is usable here; if not, {@code reason} names the missing piece (driver, libcudart, ...). */
    public record CudaStatus(boolean usable, String reason) {}

    private DeviceDetection() {}

    public static CudaStatus cuda() {
        CudaSupport.Status s = CudaSupport.status();
        return new CudaStatus(s.usable(), s.reason());
    }

    /**
     * {@code --device auto|cpu|cuda[:N]|mps}: auto takes CUDA when usable, else the CPU with one
     * line saying why; cuda names the missing piece when CUDA is not usable. Prints the chosen
     * device (and the CUDA versions once) to {@code out}.
     */
    public static Device resolve(String spec, PrintStream out) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            CudaSupport.Status cuda = CudaSupport.status();
            if (!cuda.usable()) {
                out.println("device: cpu (CUDA not usable: " + cuda.reason() + ")");
                return Device.CPU;
            }
            CudaSupport.printVersionsOnce(out);
            try {
                Backends.of(Device.cuda(0));
                out.println("device: cuda:0");
                return Device.cuda(0);
            } catch (RuntimeException | LinkageError e) {
                out.println("device: cpu (CUDA not usable: " + e.getMessage() + ")");
                return Device.CPU;
            }
        }
        Device d = Device.parse(s);
        if (d.kind() == Device.Kind.CUDA) {
            CudaSupport.require(); // names the missing piece: driver, libcudart, libcublas, libcudnn, libnvrtc
            CudaSupport.printVersionsOnce(out);
            Backends.of(d); // and this build's engine backend for it
        }
        out.println("device: " + d);
        return d;
    }
}
