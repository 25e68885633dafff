package org.gradlab.natives;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
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
 * <p>NOTE: memory is zero-filled on allocation. Accessing a closed buffer throws
 * {@link IllegalStateException} instead of touching freed memory (which would crash the JVM).
 */
public final class NativeBuffer implements AutoCloseable {
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_BUFFERS = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long GC_THRESHOLD = Long.getLong("gradlab.gcThresholdBytes", 4L << 30);

    /** Frees the raw memory exactly once, whether from close() or from the cleaner. */
    private static final class Release implements Runnable {
        private BytePointer pointer;
        private final long bytes;

        Release(BytePointer pointer, long bytes) {
            this.pointer = pointer;
            this.bytes = bytes;
        }

        @Override
        public synchronized void run() {
            if (pointer == null) {
                return;
            }
            Pointer.free(pointer);
            pointer = null;
            LIVE_BYTES.addAndGet(-bytes);
            LIVE_BUFFERS.decrementAndGet();
        }
    }

    private Cleaner.Cleanable cleanable;

    private final long bytes;
    private BytePointer pointer;
    private ByteBuffer byteView;

    private NativeBuffer(long bytes) {
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
        BytePointer p = new BytePointer(Pointer.calloc(Math.max(1, bytes), 1));
        if (p.isNull()) {
            throw new OutOfMemoryError("NativeBuffer: could not allocate " + bytes + " bytes off-heap");
        }
        p.capacity(Math.max(1, bytes));
        this.pointer = p;
        this.byteView = p.asByteBuffer().order(ByteOrder.nativeOrder());
        this.cleanable = CLEANER.register(byteView, new Release(p, bytes));
        LIVE_BYTES.addAndGet(bytes);
        LIVE_BUFFERS.incrementAndGet();
    }

    /** Zero-filled off-heap block of {@code bytes} bytes. */
    public static NativeBuffer allocate(long bytes) {
        return new NativeBuffer(bytes);
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
