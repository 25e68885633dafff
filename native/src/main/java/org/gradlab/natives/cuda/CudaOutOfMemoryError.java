package org.gradlab.natives.cuda;

/**
 * A device allocation failed even after the caching allocator emptied its cache and retried.
 * The message carries the requested size and the allocator's statistics. Never caught internally:
 * there is no silent fallback to the CPU.
 */
public final class CudaOutOfMemoryError extends CudaException {
    private final long requestedBytes;

    public CudaOutOfMemoryError(String message, long requestedBytes) {
        super(message, 2);
        this.requestedBytes = requestedBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
