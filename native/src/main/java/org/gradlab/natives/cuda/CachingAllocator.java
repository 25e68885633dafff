package org.gradlab.natives.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Caching device-memory allocator: blocks are grouped by {@link SizeClasses size class}; a closed
 * {@link DeviceBuffer} goes back onto its class's free list and is handed out again by the next
 * request of the same class, so steady-state training does no {@code cudaMalloc}/{@code cudaFree}.
 *
 * <p>Out of memory: when the raw allocator reports OOM the cache is emptied (every free block is
 * released) and the allocation retried once; if that fails too a {@link CudaOutOfMemoryError} names
 * the requested size and the statistics. There is no silent fallback.
 *
 * <p>Pure bookkeeping over an injected {@link RawDeviceAllocator}, so it is tested without a GPU.
 * Thread-safe (all state under this object's lock).
 */
public final class CachingAllocator implements AutoCloseable {
    private final RawDeviceAllocator raw;
    private final TreeMap<Long, ArrayDeque<Long>> free = new TreeMap<>();
    private final Map<Long, Long> live = new HashMap<>();
    private long allocatedBytes;
    private long cachedBytes;
    private long peakAllocatedBytes;
    private long rawMallocs;
    private long rawFrees;
    private long cacheHits;
    private boolean closed;

    /** Snapshot of the allocator's counters (bytes are size-class bytes). */
    public record Stats(long allocatedBytes, long cachedBytes, long peakAllocatedBytes, long liveBuffers,
                        long rawMallocs, long rawFrees, long cacheHits) {
        /** Bytes held from the device: in use plus cached. */
        public long reservedBytes() {
            return allocatedBytes + cachedBytes;
        }

        @Override
        public String toString() {
            return "allocated=" + human(allocatedBytes) + ", cached=" + human(cachedBytes) + ", peak="
                    + human(peakAllocatedBytes) + ", live buffers=" + liveBuffers + ", cudaMalloc calls=" + rawMallocs
                    + ", cudaFree calls=" + rawFrees + ", cache hits=" + cacheHits;
        }
    }

    public CachingAllocator(RawDeviceAllocator raw) {
        this.raw = raw;
    }

    /** Allocates at least {@code bytes} bytes (contents undefined). */
    public synchronized DeviceBuffer allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("CachingAllocator is closed");
        }
        long size = SizeClasses.roundUp(bytes);
        long addr;
        ArrayDeque<Long> list = free.get(size);
        if (list != null && !list.isEmpty()) {
            addr = list.pop();
            if (list.isEmpty()) {
                free.remove(size);
            }
            cachedBytes -= size;
            cacheHits++;
        } else {
            addr = rawMalloc(size);
            if (addr == 0) {
                emptyCache();
                addr = rawMalloc(size);
                if (addr == 0) {
                    throw new CudaOutOfMemoryError("CUDA out of memory: tried to allocate " + human(bytes) + " ("
                            + bytes + " bytes, size class " + human(size) + ") after emptying the cache; " + stats()
                            + deviceInfo(), bytes);
                }
            }
        }
        live.put(addr, size);
        allocatedBytes += size;
        peakAllocatedBytes = Math.max(peakAllocatedBytes, allocatedBytes);
        return new DeviceBuffer(this, addr, bytes, size);
    }

    private long rawMalloc(long size) {
        long a = raw.malloc(size);
        if (a != 0) {
            rawMallocs++;
        }
        return a;
    }

    private String deviceInfo() {
        String s = raw.deviceMemoryInfo();
        return s == null || s.isEmpty() ? "" : "; device: " + s;
    }

    /** Called by {@link DeviceBuffer#close()}: puts the block back on its free list. */
    synchronized void release(long address, long size) {
        Long known = live.remove(address);
        if (known == null || known != size) {
            throw new IllegalStateException("release of unknown device block 0x" + Long.toHexString(address));
        }
        allocatedBytes -= size;
        if (closed) {
            raw.free(address);
            rawFrees++;
            return;
        }
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(address);
        cachedBytes += size;
    }

    /** Releases every cached (free) block to the raw allocator. Blocks in use are untouched. */
    public synchronized void emptyCache() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet()) {
            for (long a : e.getValue()) {
                raw.free(a);
                rawFrees++;
                cachedBytes -= e.getKey();
            }
        }
        free.clear();
    }

    public synchronized Stats stats() {
        return new Stats(allocatedBytes, cachedBytes, peakAllocatedBytes, live.size(), rawMallocs, rawFrees, cacheHits);
    }

    /** Resets the peak to the current allocation. */
    public synchronized void resetPeak() {
        peakAllocatedBytes = allocatedBytes;
    }

    /**
     * Empties the cache; buffers still open are freed when they are closed later (they are reported
     * by {@link Stats#liveBuffers()}, not freed under their owners' feet).
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            emptyCache();
            closed = true;
        }
    }

    static String human(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < (1L << 20)) {
            return String.format("%.1f KiB", b / 1024.0);
        }
        if (b < (1L << 30)) {
            return String.format("%.1f MiB", b / 1048576.0);
        }
        return String.format("%.2f GiB", b / 1073741824.0);
    }
}
