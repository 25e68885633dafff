package org.gradlab.engine.backend.cpu;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * Raw float32 access to a storage's off-heap memory, for loops the JIT cannot vectorise anyway
 * (strided windows such as 2x2 max pooling) and for row copies between heap arrays and off-heap
 * matrices (im2col, col2im): no staging copy of a whole matrix, no per-access bounds check. Each
 * view checks ONCE, when taken, that the elements the caller will touch lie inside the storage,
 * so a wrong index is a Java exception, never a JVM crash.
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

    /** base[at, at + n) = src[from, from + n): one bulk copy from a heap array (src's range is checked). */
    static void copy(float[] src, int from, long base, int at, int n) {
        java.util.Objects.checkFromIndexSize(from, n, src.length);
        U.copyMemory(src, Unsafe.ARRAY_FLOAT_BASE_OFFSET + ((long) from << 2), null, base + ((long) at << 2), (long) n << 2);
    }

    /** dst[to, to + n) = base[at, at + n): one bulk copy into a heap array (dst's range is checked). */
    static void copy(long base, int at, float[] dst, int to, int n) {
        java.util.Objects.checkFromIndexSize(to, n, dst.length);
        U.copyMemory(null, base + ((long) at << 2), dst, Unsafe.ARRAY_FLOAT_BASE_OFFSET + ((long) to << 2), (long) n << 2);
    }

    /**
     * base[at, at + n) = 0. NOTE: short runs (an im2col row's few padding elements) are stored one
     * by one: {@code Unsafe.setMemory} is a native call, not an intrinsic, and costs more than the
     * stores below a few hundred bytes (bench/README.md, "im2col + GEMM: copies, kept columns, sample blocks").
     */
    static void zero(long base, int at, int n) {
        if (n < SHORT_ZERO_RUN) {
            for (int i = at, e = at + n; i < e; i++) {
                put(base, i, 0f);
            }
        } else {
            U.setMemory(base + ((long) at << 2), (long) n << 2, (byte) 0);
        }
    }

    /** Runs of fewer floats than this are zeroed with stores, not {@code setMemory}. */
    private static final int SHORT_ZERO_RUN = 64;

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

    /**
     * bits[0, n) = the raw bits of floats[0, n) (toBits) or the reverse: one bulk copy between heap
     * arrays, for loops that need a float's bits as an int (C2 vectorises neither
     * {@code Float.floatToRawIntBits} nor {@code intBitsToFloat} inside a loop; UnaryLoops32's exp).
     */
    static void moveBits(float[] floats, int[] bits, int n, boolean toBits) {
        java.util.Objects.checkFromIndexSize(0, n, Math.min(floats.length, bits.length));
        if (toBits) {
            U.copyMemory(floats, Unsafe.ARRAY_FLOAT_BASE_OFFSET, bits, Unsafe.ARRAY_INT_BASE_OFFSET, (long) n * Float.BYTES);
        } else {
            U.copyMemory(bits, Unsafe.ARRAY_INT_BASE_OFFSET, floats, Unsafe.ARRAY_FLOAT_BASE_OFFSET, (long) n * Float.BYTES);
        }
    }

    static float get(long base, int i) {
        return U.getFloat(base + ((long) i << 2));
    }

    static void put(long base, int i, float v) {
        U.putFloat(base + ((long) i << 2), v);
    }
}
