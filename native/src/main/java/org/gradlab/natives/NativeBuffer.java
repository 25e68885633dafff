package org.gradlab.natives;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A block of off-heap host memory, released deterministically by {@link #close()}.
 *
 * <p>Tensors on the CPU keep their numbers here rather than in Java arrays, so that OpenBLAS
 * reads and writes them in place: a JavaCPP call that takes a {@code float[]} copies the whole
 * array across the JNI border on every call, which a GEMM on a hot path cannot afford.
 * Java code reads and writes the same bytes through the {@link FloatBuffer}/{@link DoubleBuffer}
 * views, which the JIT compiles to plain loads and stores.
 *
 * <p>NOTE: {@link #close()} frees at once. A buffer nobody closes is freed by a {@link Cleaner}
 * once its last view is unreachable (the cleaner watches the base ByteBuffer, which every
 * FloatBuffer/DoubleBuffer view keeps alive, so a kernel loop over a view can never see the
 * memory vanish). When more than {@code gradlab.gcThresholdBytes} (default 4 GiB) is live,
 * allocation asks the GC to run those cleaners first.
 *
 * <p>NOTE: {@link #allocate} zero-fills, {@link #allocateUninitialized} does not (for kernels that
 * write every byte). Accessing a closed buffer throws
 * {@link IllegalStateException} instead of touching freed memory (which would crash the JVM).
 *
 * <p>NOTE: blocks of {@value #POOL_MIN_BYTES} bytes or more are not handed back to the C
 * allocator on release, because a training step frees and re-allocates the same activation
 * sizes every step: glibc serves such blocks with mmap/munmap, so each step would pay page
 * faults and kernel zeroing for every activation (a quarter of a ResNet-18 epoch went to the
 * kernel before the pool). Blocks up to {@link HostArena#MAX_BLOCK} bytes are cut from
 * {@link HostArena}'s slabs (best fit, freed neighbours merged), larger ones are kept whole in
 * a pool keyed by exact size. A reused block is zeroed with memset when {@link #allocate}
 * hands it out. At most {@code gradlab.hostPoolBytes} (default 3 GiB) sit in the pool of large
 * blocks; {@link #trimPool()} frees them all and every slab with no block in use.
 * {@link #liveBytes()} counts only open buffers.
 */
public final class NativeBuffer implements AutoCloseable {
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_BUFFERS = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long GC_THRESHOLD = Long.getLong("gradlab.gcThresholdBytes", 4L << 30);
    static final long POOL_MIN_BYTES = 16384;
    private static final long POOL_LIMIT = Long.getLong("gradlab.hostPoolBytes", 3L << 30);
    private static final ConcurrentHashMap<Long, ConcurrentLinkedDeque<BytePointer>> POOL = new ConcurrentHashMap<>();
    private static final AtomicLong POOLED_BYTES = new AtomicLong();
    private static final AtomicLong POOL_HITS = new AtomicLong();
    private static final HostArena ARENA = new HostArena();
    /**
     * Tests run with {@code -Dgradlab.poisonUninitialized=true}: uninitialized blocks are filled
     * with 0xFF bytes (NaN as float32 and float64), so a kernel that forgets to write an element
     * of an {@link #allocateUninitialized} output fails the golden tests instead of passing on
     * lucky zeros.
     */
    private static final boolean POISON = Boolean.getBoolean("gradlab.poisonUninitialized");

    /** Frees the raw memory exactly once, whether from close() or from the cleaner. */
    private static final class Release implements Runnable {
        private BytePointer pointer;
        private final long bytes;
        private final boolean inArena;

        Release(BytePointer pointer, long bytes, boolean inArena) {
            this.pointer = pointer;
            this.bytes = bytes;
            this.inArena = inArena;
        }

        @Override
        public synchronized void run() {
            if (pointer == null) {
                return;
            }
            if (inArena) {
                ARENA.release(pointer.address(), bytes);
            } else {
                recycle(pointer, bytes);
            }
            pointer = null;
            LIVE_BYTES.addAndGet(-bytes);
            LIVE_BUFFERS.decrementAndGet();
        }
    }

    private Cleaner.Cleanable cleanable;

    private final long bytes;
    private BytePointer pointer;
    private ByteBuffer byteView;

    private NativeBuffer(long bytes, boolean zeroed) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("NativeBuffer: size must be in [0, 2^31) bytes, got " + bytes);
        }
        this.bytes = bytes;
        if (LIVE_BYTES.get() + bytes > GC_THRESHOLD) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean inArena = bytes >= POOL_MIN_BYTES && bytes <= HostArena.MAX_BLOCK;
        BytePointer p;
        if (inArena) {
            p = fromArena(bytes, zeroed);
        } else {
            p = fromPool(bytes);
            boolean fresh = p == null;
            if (fresh) {
                p = new BytePointer(rawAllocate(bytes, zeroed));
                if (p.isNull()) {
                    trimPool();
                    p = new BytePointer(rawAllocate(bytes, zeroed));
                }
                if (p.isNull()) {
                    throw new OutOfMemoryError("NativeBuffer: could not allocate " + bytes + " bytes off-heap");
                }
                p.capacity(Math.max(1, bytes));
            }
            if (zeroed && !fresh) { // calloc already zeroed a fresh block
                Pointer.memset(p, 0, bytes);
            }
        }
        if (!zeroed && POISON) {
            Pointer.memset(p, 0xFF, Math.max(1, bytes));
        }
        this.pointer = p;
        this.byteView = p.asByteBuffer().order(ByteOrder.nativeOrder());
        this.cleanable = CLEANER.register(byteView, new Release(p, bytes, inArena));
        LIVE_BYTES.addAndGet(bytes);
        LIVE_BUFFERS.incrementAndGet();
    }

    private static Pointer rawAllocate(long bytes, boolean zeroed) {
        return zeroed ? Pointer.calloc(Math.max(1, bytes), 1) : Pointer.malloc(Math.max(1, bytes));
    }

    /**
     * A block of {@code bytes} cut from the arena's slabs; with {@code zeroed}, the part of it
     * that an earlier block used is cleared (the rest is still calloc's zeroes).
     */
    private static BytePointer fromArena(long bytes, boolean zeroed) {
        HostArena.Block b = ARENA.allocate(bytes);
        if (b == null) {
            trimPool();
            b = ARENA.allocate(bytes);
        }
        if (b == null) {
            throw new OutOfMemoryError("NativeBuffer: could not allocate a slab of " + HostArena.SLAB + " bytes off-heap");
        }
        if (b.usedBefore() > 0) {
            POOL_HITS.incrementAndGet();
            if (zeroed) {
                Pointer.memset(b.pointer(), 0, Math.min(bytes, b.usedBefore()));
            }
        }
        return b.pointer();
    }

    /** A pooled block of exactly {@code bytes} bytes (contents as its last user left them), or null. */
    private static BytePointer fromPool(long bytes) {
        if (bytes < POOL_MIN_BYTES) {
            return null;
        }
        ConcurrentLinkedDeque<BytePointer> q = POOL.get(bytes);
        BytePointer p = q == null ? null : q.pollFirst();
        if (p == null) {
            return null;
        }
        POOLED_BYTES.addAndGet(-bytes);
        POOL_HITS.incrementAndGet();
        return p;
    }

    /** Keeps a released block for reuse while the pool has room, else frees it. */
    private static void recycle(BytePointer p, long bytes) {
        if (bytes >= POOL_MIN_BYTES && POOLED_BYTES.addAndGet(bytes) <= POOL_LIMIT) {
            POOL.computeIfAbsent(bytes, k -> new ConcurrentLinkedDeque<>()).addFirst(p);
            return;
        }
        if (bytes >= POOL_MIN_BYTES) {
            POOLED_BYTES.addAndGet(-bytes);
        }
        Pointer.free(p);
    }

    /** Frees every pooled block and every arena slab with no block in use (they are otherwise kept for reuse until the JVM exits). */
    public static void trimPool() {
        ARENA.trim();
        for (ConcurrentLinkedDeque<BytePointer> q : POOL.values()) {
            for (BytePointer p; (p = q.pollFirst()) != null; ) {
                POOLED_BYTES.addAndGet(-p.capacity());
                Pointer.free(p);
            }
        }
    }

    /** Bytes of released blocks kept for reuse: the pool's large blocks and the arena slabs' free ranges. */
    public static long pooledBytes() {
        return POOLED_BYTES.get() + ARENA.freeBytes();
    }

    /** How many allocations were served (at least partly) from memory used before, since start (for tests and reports). */
    public static long poolHits() {
        return POOL_HITS.get();
    }

    /** Zero-filled off-heap block of {@code bytes} bytes. */
    public static NativeBuffer allocate(long bytes) {
        return new NativeBuffer(bytes, true);
    }

    /**
     * Off-heap block of {@code bytes} bytes whose contents are UNDEFINED (a reused block keeps
     * whatever it held). Only for kernels that write every byte before anything reads it: it
     * saves the memset of each freshly allocated activation.
     */
    public static NativeBuffer allocateUninitialized(long bytes) {
        return new NativeBuffer(bytes, false);
    }

    public long bytes() {
        return bytes;
    }

    public boolean isClosed() {
        return pointer == null;
    }

    /** The raw JavaCPP pointer, for native calls (OpenBLAS, cudaMemcpy). */
    public Pointer pointer() {
        checkOpen();
        return pointer;
    }

    public FloatBuffer asFloats() {
        checkOpen();
        return byteView.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public DoubleBuffer asDoubles() {
        checkOpen();
        return byteView.duplicate().order(ByteOrder.nativeOrder()).asDoubleBuffer();
    }

    public ByteBuffer asBytes() {
        checkOpen();
        return byteView.duplicate().order(ByteOrder.nativeOrder());
    }

    /** Sets {@code count} bytes from {@code offset} to zero (native memset). */
    public void zero(long offset, long count) {
        checkOpen();
        if (offset < 0 || count < 0 || offset + count > bytes) {
            throw new IndexOutOfBoundsException("NativeBuffer.zero: [" + offset + ", " + (offset + count) + ") outside "
                    + bytes + " bytes");
        }
        Pointer.memset(new BytePointer(pointer).position(offset), 0, count);
    }

    private void checkOpen() {
        if (pointer == null) {
            throw new IllegalStateException("NativeBuffer of " + bytes + " bytes was already released");
        }
    }

    @Override
    public synchronized void close() {
        if (pointer == null) {
            return;
        }
        pointer = null;
        byteView = null;
        cleanable.clean();
    }

    /** Bytes currently held by open buffers (for leak tests and memory reports). */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /** Number of currently open buffers. */
    public static long liveBuffers() {
        return LIVE_BUFFERS.get();
    }
}
