package org.gradlab.natives.cuda;

/**
 * The raw allocation primitive beneath {@link CachingAllocator}: {@code cudaMalloc}/{@code cudaFree}
 * on a GPU ({@link DeviceMemory}), or a fake in tests.
 */
public interface RawDeviceAllocator {
    /**
     * Allocates {@code bytes} bytes of device memory.
     *
     * @return the device address, or 0 when the device is out of memory
     * @throws CudaException for any other failure
     */
    long malloc(long bytes);

    /** Frees an address returned by {@link #malloc}. */
    void free(long address);

    /** A short "free X of Y" description of the device's memory for error messages (may be empty). */
    default String deviceMemoryInfo() {
        return "";
    }
}
