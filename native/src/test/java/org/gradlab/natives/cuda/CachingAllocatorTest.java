package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CachingAllocatorTest {
    /** Fake device: hands out increasing addresses, tracks live bytes, refuses beyond a capacity. */
    static final class FakeDevice implements RawDeviceAllocator {
        final long capacity;
        long used;
        long next = 0x10000;
        int mallocs;
        int frees;
        final java.util.Map<Long, Long> blocks = new java.util.HashMap<>();

        FakeDevice(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes) {
            if (used + bytes > capacity) {
                return 0;
            }
            used += bytes;
            mallocs++;
            long a = next;
            next += bytes + 4096;
            blocks.put(a, bytes);
            return a;
        }

        @Override
        public void free(long address) {
            Long b = blocks.remove(address);
            assertNotNull(b, "double free / unknown address");
            used -= b;
            frees++;
        }

        @Override
        public String deviceMemoryInfo() {
            return "free " + (capacity - used) + " of " + capacity;
        }
    }

    @Test
    void sizeClasses() {
        assertEquals(512, SizeClasses.roundUp(0));
        assertEquals(512, SizeClasses.roundUp(1));
        assertEquals(512, SizeClasses.roundUp(512));
        assertEquals(1024, SizeClasses.roundUp(513));
        assertEquals(1L << 20, SizeClasses.roundUp((1L << 20) - 1));
        assertEquals(1L << 20, SizeClasses.roundUp(1L << 20));
        assertEquals(2L << 20, SizeClasses.roundUp((1L << 20) + 1));
        assertEquals(4L << 20, SizeClasses.roundUp(3L << 20));
        assertEquals(1L << 30, SizeClasses.roundUp(1L << 30));
        assertThrows(IllegalArgumentException.class, () -> SizeClasses.roundUp(-1));
    }

    @Test
    void closedBuffersAreReusedNotFreed() {
        FakeDevice dev = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBuffer b1 = a.allocate(1000);
        long addr = b1.address();
        assertEquals(1024, b1.capacity());
        assertEquals(1000, b1.bytes());
        b1.close();
        b1.close(); // idempotent
        assertTrue(b1.isClosed());
        assertThrows(IllegalStateException.class, b1::address);
        assertEquals(0, dev.frees);
        CachingAllocator.Stats s = a.stats();
        assertEquals(0, s.allocatedBytes());
        assertEquals(1024, s.cachedBytes());
        DeviceBuffer b2 = a.allocate(600); // same class (1024)
        assertEquals(addr, b2.address());
        assertEquals(1, dev.mallocs);
        assertEquals(1, a.stats().cacheHits());
        DeviceBuffer b3 = a.allocate(2000); // different class: new malloc
        assertNotEquals(addr, b3.address());
        assertEquals(2, dev.mallocs);
        assertEquals(1024 + 2048, a.stats().allocatedBytes());
        assertEquals(1024 + 2048, a.stats().peakAllocatedBytes());
        b2.close();
        b3.close();
        assertEquals(3072, a.stats().cachedBytes());
        assertEquals(3072, a.stats().peakAllocatedBytes());
        a.emptyCache();
        assertEquals(0, a.stats().cachedBytes());
        assertEquals(2, dev.frees);
        assertEquals(0, dev.used);
        a.close();
    }

    @Test
    void distinctLiveBuffersHaveDistinctAddresses() {
        CachingAllocator a = new CachingAllocator(new FakeDevice(1L << 30));
        Set<Long> seen = new HashSet<>();
        DeviceBuffer[] bufs = new DeviceBuffer[20];
        for (int i = 0; i < bufs.length; i++) {
            bufs[i] = a.allocate(100);
            assertTrue(seen.add(bufs[i].address()));
        }
        assertEquals(20, a.stats().liveBuffers());
        for (DeviceBuffer b : bufs) {
            b.close();
        }
        assertEquals(0, a.stats().liveBuffers());
        assertEquals(20 * 512, a.stats().cachedBytes());
    }

    @Test
    void oomEmptiesCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice(4L << 20);
        CachingAllocator a = new CachingAllocator(dev);
        a.allocate(3L << 20).close(); // 4 MiB class, now cached: device is full
        assertEquals(4L << 20, a.stats().cachedBytes());
        DeviceBuffer b = a.allocate(2L << 20); // 2 MiB class: raw OOM -> empty cache -> retry OK
        assertEquals(1, dev.frees);
        assertEquals(0, a.stats().cachedBytes());
        assertEquals(2L << 20, a.stats().allocatedBytes());
        b.close();
    }

    @Test
    void oomAfterRetryThrowsWithSizeAndStats() {
        FakeDevice dev = new FakeDevice(4L << 20);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBuffer held = a.allocate(3L << 20);
        CudaOutOfMemoryError e = assertThrows(CudaOutOfMemoryError.class, () -> a.allocate(1L << 20));
        assertEquals(1L << 20, e.requestedBytes());
        assertTrue(e.getMessage().contains("1048576 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("allocated=4.0 MiB"), e.getMessage());
        assertTrue(e.getMessage().contains("device: free"), e.getMessage());
        held.close();
        a.close();
        assertEquals(0, dev.used);
    }

    @Test
    void bufferClosedAfterAllocatorCloseIsFreed() {
        FakeDevice dev = new FakeDevice(1L << 30);
        CachingAllocator a = new CachingAllocator(dev);
        DeviceBuffer b = a.allocate(10);
        a.close();
        assertEquals(1, a.stats().liveBuffers());
        b.close();
        assertEquals(0, dev.used);
        assertThrows(IllegalStateException.class, () -> a.allocate(10));
    }
}
