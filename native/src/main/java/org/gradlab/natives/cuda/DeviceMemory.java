package org.gradlab.natives.cuda;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.cuda.global.cudart;

/**
 * {@link RawDeviceAllocator} over {@code cudaMalloc}/{@code cudaFree} for one device. Use through a
 * {@link CachingAllocator} (see {@link CudaContext#allocator()}).
 */
public final class DeviceMemory implements RawDeviceAllocator {
    private final int device;

    public DeviceMemory(int device) {
        this.device = device;
    }

    @Override
    public long malloc(long bytes) {
        CudaCheck.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        Pointer p = new Pointer();
        int err = cudart.cudaMalloc(p, bytes);
        if (err == cudart.cudaErrorMemoryAllocation) {
            cudart.cudaGetLastError(); // not sticky; clear it
            return 0;
        }
        CudaCheck.check(err, "cudaMalloc(" + bytes + ")");
        return p.address();
    }

    @Override
    public void free(long address) {
        CudaCheck.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        CudaCheck.check(cudart.cudaFree(DevicePointers.of(address)), "cudaFree");
    }

    @Override
    public String deviceMemoryInfo() {
        try (SizeTPointer f = new SizeTPointer(1); SizeTPointer t = new SizeTPointer(1)) {
            if (cudart.cudaMemGetInfo(f, t) != 0) {
                cudart.cudaGetLastError();
                return "";
            }
            return "free " + CachingAllocator.human(f.get()) + " of " + CachingAllocator.human(t.get());
        }
    }
}
