package org.gradlab.natives.cuda;

/**
 * A block of device memory handed out by a {@link CachingAllocator}. {@link #close()} returns it to
 * the allocator's cache (not to {@code cudaFree}) deterministically; closing twice is harmless.
 *
 * <p>NOTE: reuse is stream-ordered: a closed block may be handed out again at once, which is safe
 * because all work runs on the one stream of its {@link CudaContext}. Work queued on the stream that
 * still reads this block runs before any later work that writes the reused block.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CachingAllocator owner;
    private final long address;
    private final long bytes;
    private final long capacity;
    private volatile boolean closed;

    DeviceBuffer(CachingAllocator owner, long address, long bytes, long capacity) {
        this.owner = owner;
        this.address = address;
        this.bytes = bytes;
        this.capacity = capacity;
    }

    /** Device address of the first byte. */
    public long address() {
        if (closed) {
            throw new IllegalStateException("DeviceBuffer of " + bytes + " bytes was already released");
        }
        return address;
    }

    /** Bytes requested. */
    public long bytes() {
        return bytes;
    }

    /** Bytes reserved (the size class); at least {@link #bytes()}. */
    public long capacity() {
        return capacity;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        owner.release(address, capacity);
    }

    @Override
    public String toString() {
        return "DeviceBuffer[0x" + Long.toHexString(address) + ", " + bytes + " B" + (closed ? ", closed" : "") + "]";
    }
}
