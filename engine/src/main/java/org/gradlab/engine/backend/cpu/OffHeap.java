package org.gradlab.engine.backend.cpu;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * Raw float32 access to a storage's off-heap memory, for loops the JIT cannot vectorise anyway
 * (strided windows such as 2x2 max pooling): no staging copy into a heap array, no per-access
 * bounds check. Each view checks ONCE, when taken, that the elements the caller will touch lie
 * inside the storage, so a wrong index is a Java exception, never a JVM crash.
 */
final class OffHeap {
    private static final Unsafe U;

    static {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            U = (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OffHeap() {}

    /**
     * The address of float element {@code offset} of {@code s}, after checking that elements
     * [offset, offset + count) exist.
     */
    static long floats(CpuStorage s, long offset, long count) {
        long have = s.buffer().bytes() / Float.BYTES;
        if (offset < 0 || count < 0 || offset + count > have) {
            throw new IndexOutOfBoundsException("float elements [" + offset + ", " + (offset + count) + ") of a storage of "
                    + have);
        }
        s.f32(); // checks the dtype
        return s.buffer().pointer().address() + offset * Float.BYTES;
    }

    /** The address {@code floats} elements past {@code base} (a sub-range the view's check already covered). */
    static long plus(long base, long floats) {
        return base + floats * Float.BYTES;
    }

    /** Copies {@code floats} floats from address {@code from} to address {@code to} (ranges the views' checks covered). */
    static void copy(long from, long to, long floats) {
        U.copyMemory(from, to, floats * Float.BYTES);
    }

    /** Copies {@code n} floats from address {@code from} into dst[0, n). */
    static void load(long from, float[] dst, int n) {
        U.copyMemory(null, from, dst, Unsafe.ARRAY_FLOAT_BASE_OFFSET, (long) n * Float.BYTES);
    }

    /** Copies src[0, n) to address {@code to}. */
    static void store(float[] src, int n, long to) {
        U.copyMemory(src, Unsafe.ARRAY_FLOAT_BASE_OFFSET, null, to, (long) n * Float.BYTES);
    }

    static float get(long base, int i) {
        return U.getFloat(base + ((long) i << 2));
    }

    static void put(long base, int i, float v) {
        U.putFloat(base + ((long) i << 2), v);
    }
}
