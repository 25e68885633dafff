package org.gradlab.challenge.run;

import java.io.PrintStream;
import org.gradlab.engine.Device;
import org.gradlab.engine.backend.Backends;
import org.gradlab.natives.cuda.CudaSupport;

/** {@code --device auto|cpu|cuda[:N]|mps}: auto takes CUDA when usable, else the CPU with one line saying why. */
public final class DeviceChoice {
    private DeviceChoice() {}

    public static Device resolve(String spec, PrintStream out) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(java.util.Locale.ROOT);
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
