package org.gradlab.engine.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Per-thread float arrays that stage off-heap data for Java loops.
 *
 * <p>Why: a loop over a direct {@link FloatBuffer} pays a bounds and scope check per access and
 * cannot be vectorised; with data-dependent branches (ReLU, max-pool on random signs) it is
 * several times slower than a bulk copy into a heap array (memcpy speed), the loop on the array,
 * and a bulk copy back (figures: bench/README.md, "Figures behind design choices"). Arrays are
 * reused per thread and per slot, so staging allocates nothing in steady state.
 */
final class HeapStage {
    private static final int SLOTS = 6;
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][]);
    private static final int BIT_SLOTS = 2;
    private static final ThreadLocal<int[][]> BITS = ThreadLocal.withInitial(() -> new int[BIT_SLOTS][]);

    private HeapStage() {}

    /** A scratch array of at least {@code n} floats for {@code slot} (contents undefined). */
    static float[] scratch(int slot, int n) {
        float[][] a = ARRAYS.get();
        if (a[slot] == null || a[slot].length < n) {
            a[slot] = new float[Math.max(n, a[slot] == null ? 0 : a[slot].length + a[slot].length / 2)];
        }
        return a[slot];
    }

    /** The scratch array of {@code slot} with its first {@code n} floats zero. */
    static float[] zeroed(int slot, int n) {
        float[] a = scratch(slot, n);
        Arrays.fill(a, 0, n, 0f);
        return a;
    }

    /** {@code n} floats of {@code src} from {@code offset}, copied into the scratch array of {@code slot}. */
    static float[] load(int slot, FloatBuffer src, int offset, int n) {
        float[] a = scratch(slot, n);
        src.get(offset, a, 0, n);
        return a;
    }

    /**
     * The raw bits of {@code n} floats of {@code src} from {@code offset}, in the int scratch array
     * of {@code slot} (0 or 1). NOTE: for loops of pure integer masking, which the JIT vectorises
     * over int[] but not across {@code Float.floatToRawIntBits} on float[].
     */
    static int[] loadBits(int slot, CpuStorage src, int offset, int n) {
        int[] a = bitScratch(slot, n);
        src.f32(); // checks the dtype
        src.buffer().asBytes().asIntBuffer().get(offset, a, 0, n);
        return a;
    }

    /** A scratch int array of at least {@code n} elements for {@code slot} (0 or 1; contents undefined). */
    static int[] bitScratch(int slot, int n) {
        int[][] a = BITS.get();
        if (a[slot] == null || a[slot].length < n) {
            a[slot] = new int[Math.max(n, a[slot] == null ? 0 : a[slot].length + a[slot].length / 2)];
        }
        return a[slot];
    }

    /** Copies {@code n} float bit patterns of {@code a} to {@code dst} at {@code offset}. */
    static void storeBits(int[] a, CpuStorage dst, int offset, int n) {
        dst.f32();
        dst.buffer().asBytes().asIntBuffer().put(offset, a, 0, n);
    }

    /** Copies {@code n} floats of {@code a} to {@code dst} at {@code offset}. */
    static void store(float[] a, FloatBuffer dst, int offset, int n) {
        dst.put(offset, a, 0, n);
    }
}
