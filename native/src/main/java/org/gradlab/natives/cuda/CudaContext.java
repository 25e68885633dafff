package org.gradlab.natives.cuda;

import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;

/**
 * Everything GradLab keeps per CUDA device: the primary context (made current with
 * {@code cudaSetDevice}), ONE stream on which all work is queued, the {@link CachingAllocator},
 * and lazily created {@link Cublas}, {@link Cudnn} and {@link Kernels} bound to that stream.
 *
 * <p>Obtain with {@link #get(int)} (one instance per device per JVM; requires
 * {@link CudaSupport#require()}). {@link #close()} synchronizes, releases the libraries' handles,
 * empties the allocator's cache and destroys the stream.
 */
public final class CudaContext implements AutoCloseable {
    private static final ConcurrentHashMap<Integer, CudaContext> CONTEXTS = new ConcurrentHashMap<>();

    private final int device;
    private final String deviceName;
    private final long totalMemory;
    private final int ccMajor;
    private final int ccMinor;
    private final CudaStream stream;
    private final CachingAllocator allocator;
    private Cublas cublas;
    private Cudnn cudnn;
    private Kernels kernels;
    private boolean closed;
    private boolean tf32;

    private CudaContext(int device) {
        CudaSupport.Status s = CudaSupport.require();
        if (device < 0 || device >= s.deviceCount()) {
            throw new IllegalArgumentException("CUDA device " + device + " does not exist (" + s.deviceCount() + " present)");
        }
        this.device = device;
        CudaCheck.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        CudaCheck.check(cudart.cudaFree(null), "CUDA context initialisation"); // forces primary context creation
        try (cudaDeviceProp p = new cudaDeviceProp()) {
            CudaCheck.check(cudart.cudaGetDeviceProperties(p, device), "cudaGetDeviceProperties(" + device + ")");
            this.deviceName = p.name().getString();
            this.totalMemory = p.totalGlobalMem();
            this.ccMajor = p.major();
            this.ccMinor = p.minor();
        }
        this.stream = new CudaStream(device);
        this.allocator = new CachingAllocator(new DeviceMemory(device));
    }

    /** The context of {@code device}, created on first use. */
    public static CudaContext get(int device) {
        return CONTEXTS.computeIfAbsent(device, CudaContext::new);
    }

    /** Makes this device current on the calling thread (needed before driver-API calls on new threads). */
    public void makeCurrent() {
        CudaCheck.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
    }

    public int device() {
        return device;
    }

    public String deviceName() {
        return deviceName;
    }

    public long totalMemory() {
        return totalMemory;
    }

    public int ccMajor() {
        return ccMajor;
    }

    public int ccMinor() {
        return ccMinor;
    }

    public CudaStream stream() {
        return stream;
    }

    public CachingAllocator allocator() {
        return allocator;
    }

    /** Allocates device memory from this device's caching allocator. */
    public DeviceBuffer allocate(long bytes) {
        makeCurrent();
        return allocator.allocate(bytes);
    }

    /** The cuBLAS wrapper on this context's stream (FP32 without TF32 by default). */
    public synchronized Cublas cublas() {
        checkOpen();
        if (cublas == null) {
            makeCurrent();
            cublas = new Cublas(stream, Cublas.MathMode.DEFAULT);
        }
        return cublas;
    }

    /** The cuDNN wrapper on this context's stream (exact FP32, deterministic algorithms by default). */
    public synchronized Cudnn cudnn() {
        checkOpen();
        if (cudnn == null) {
            makeCurrent();
            Cudnn.Options d = Cudnn.Options.defaults();
            cudnn = new Cudnn(stream, allocator, new Cudnn.Options(tf32, d.benchmark(), d.deterministic(), d.workspaceLimit()));
        }
        return cudnn;
    }

    /**
     * Math mode of this device: {@code allowTf32 = false} (the default) keeps FP32 GEMMs and
     * convolutions exact FP32 (cuBLAS {@code mode}, cuDNN FMA math); true lets cuBLAS and cuDNN use
     * TF32 tensor cores. NOTE: cuDNN's choice applies to descriptors created afterwards, so call this
     * before the first convolution.
     */
    public synchronized void setMathMode(Cublas.MathMode mode, boolean allowTf32) {
        checkOpen();
        if (cudnn != null && allowTf32 != tf32) {
            throw new IllegalStateException("cuDNN math mode must be chosen before its first use (TF32 "
                    + (allowTf32 ? "on" : "off") + " requested, cuDNN already created with TF32 " + (tf32 ? "on" : "off") + ")");
        }
        this.tf32 = allowTf32;
        cublas().setMathMode(mode);
    }

    /** Our own NVRTC-compiled kernels. */
    public synchronized Kernels kernels() {
        checkOpen();
        if (kernels == null) {
            kernels = new Kernels(this);
        }
        return kernels;
    }

    /** Waits for all work queued on the stream. */
    public void synchronize() {
        stream.synchronize();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("CudaContext of device " + device + " was closed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        makeCurrent();
        stream.synchronize();
        if (kernels != null) {
            kernels.close();
        }
        if (cudnn != null) {
            cudnn.close();
        }
        if (cublas != null) {
            cublas.close();
        }
        allocator.close();
        stream.close();
        closed = true;
        CONTEXTS.remove(device, this);
    }
}
