package org.gradlab.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The host pool: released blocks are reused, come back zeroed from allocate, poisoned (under test) from allocateUninitialized. */
class NativeBufferPoolTest {
    private static final int SIZE = 3 * 65536 + 4; // a size no other test uses

    @Test
    void aReleasedBlockIsReusedAndComesBackZeroed() {
        NativeBuffer a = NativeBuffer.allocate(SIZE);
        a.asBytes().put(0, (byte) 7).put(SIZE - 1, (byte) 9);
        a.close();
        long pooled = NativeBuffer.pooledBytes();
        assertTrue(pooled >= SIZE, "released block kept for reuse, pool holds " + pooled);
        long hits = NativeBuffer.poolHits();
        try (NativeBuffer b = NativeBuffer.allocate(SIZE)) {
            assertEquals(hits + 1, NativeBuffer.poolHits(), "second allocation of the same size served from the pool");
            ByteBuffer bytes = b.asBytes();
            for (int i = 0; i < SIZE; i++) {
                assertEquals(0, bytes.get(i), "byte " + i + " of a reused block");
            }
        }
    }

    @Test
    void uninitializedBlocksArePoisonedUnderTest() {
        assertTrue(Boolean.getBoolean("gradlab.poisonUninitialized"), "the build runs tests with -Dgradlab.poisonUninitialized=true");
        try (NativeBuffer a = NativeBuffer.allocateUninitialized(SIZE + 8)) {
            assertTrue(Float.isNaN(a.asFloats().get(0)) && Float.isNaN(a.asFloats().get((SIZE + 8) / 4 - 1)),
                    "fresh uninitialized block reads as NaN");
        }
        try (NativeBuffer b = NativeBuffer.allocateUninitialized(SIZE + 8)) { // now from the pool
            assertTrue(Double.isNaN(b.asDoubles().get(0)), "reused uninitialized block reads as NaN");
        }
    }

    @Test
    void trimFreesThePool() {
        NativeBuffer.allocate(SIZE + 16).close();
        NativeBuffer.trimPool();
        assertEquals(0, NativeBuffer.pooledBytes());
    }
}
