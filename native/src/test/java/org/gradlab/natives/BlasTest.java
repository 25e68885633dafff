package org.gradlab.natives;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class BlasTest {
    @Test
    void sgemmMultipliesInPlaceWithOffsets() {
        try (NativeBuffer a = NativeBuffer.allocate(4 * 7); NativeBuffer b = NativeBuffer.allocate(4 * 6);
             NativeBuffer c = NativeBuffer.allocate(4 * 4)) {
            FloatBuffer fa = a.asFloats(), fb = b.asFloats();
            // A (2x3) starts at offset 1: [1 2 3; 4 5 6]; B (3x2) = [1 0; 0 1; 1 1]
            float[] av = {9, 1, 2, 3, 4, 5, 6};
            float[] bv = {1, 0, 0, 1, 1, 1};
            for (int i = 0; i < av.length; i++) fa.put(i, av[i]);
            for (int i = 0; i < bv.length; i++) fb.put(i, bv[i]);
            Blas.sgemm(false, false, 2, 2, 3, 1f, a, 1, 3, b, 0, 2, 0f, c, 0, 2);
            FloatBuffer fc = c.asFloats();
            assertArrayEquals(new float[] {4, 5, 10, 11}, new float[] {fc.get(0), fc.get(1), fc.get(2), fc.get(3)});
        }
    }

    @Test
    void closedBufferFailsClearly() {
        NativeBuffer a = NativeBuffer.allocate(16);
        long live = NativeBuffer.liveBytes();
        a.close();
        assertEquals(live - 16, NativeBuffer.liveBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, a::asFloats);
        assertTrue(e.getMessage().contains("released"));
    }

    @Test
    void defaultsToOneThread() {
        assertEquals(1, Blas.threads());
    }
}
