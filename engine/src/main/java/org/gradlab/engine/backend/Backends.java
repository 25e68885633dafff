package org.gradlab.engine.backend;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gradlab.engine.Device;
import org.gradlab.engine.backend.cpu.CpuBackend;

/**
 * Finds the backend of a device. The CUDA backend is looked up by class name so that the
 * engine builds, runs and tests without any GPU code on the class path being touched.
 */
public final class Backends {
    private static final Map<Device, Backend> CACHE = new ConcurrentHashMap<>();
    public static final String CUDA_BACKEND_CLASS = "org.gradlab.engine.backend.cuda.CudaBackend";

    private Backends() {}

    public static Backend of(Device device) {
        if (device.kind() == Device.Kind.CPU) {
            return CpuBackend.INSTANCE;
        }
        return CACHE.computeIfAbsent(device, Backends::loadCuda);
    }

    private static Backend loadCuda(Device device) {
        try {
            Class<?> c = Class.forName(CUDA_BACKEND_CLASS);
            return (Backend) c.getMethod("create", int.class).invoke(null, device.index());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("device " + device + ": this build has no CUDA backend (" + CUDA_BACKEND_CLASS
                    + " not on the class path)");
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("device " + device + " is not usable: " + cause.getMessage(), cause);
        }
    }
}
