package org.gradlab.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The slab arena behind NativeBuffer's mid-size blocks: best fit, merging, what needs clearing, trimming. */
class HostArenaTest {
    private static final long MB = 1 << 20;

    @Test
    void freedNeighboursMergeAndServeALargerBlock() {
        HostArena arena = new HostArena();
        HostArena.Block a = arena.allocate(MB);
        HostArena.Block b = arena.allocate(MB);
        HostArena.Block fence = arena.allocate(MB); // keeps the two apart from the slab's free tail
        assertEquals(a.pointer().address() + MB, b.pointer().address(), "blocks are cut one after another");
        arena.release(a.pointer().address(), MB);
        arena.release(b.pointer().address(), MB);
        HostArena.Block both = arena.allocate(2 * MB);
        assertEquals(a.pointer().address(), both.pointer().address(), "the merged range serves a block of twice the size");
        assertEquals(2 * MB, both.usedBefore(), "all of it was used before");
        arena.release(both.pointer().address(), 2 * MB);
        arena.release(fence.pointer().address(), MB);
        assertEquals(HostArena.SLAB, arena.freeBytes());
    }

    @Test
    void theSmallestFittingRangeIsTaken() {
        HostArena arena = new HostArena();
        HostArena.Block big = arena.allocate(3 * MB);
        HostArena.Block fence1 = arena.allocate(MB);
        HostArena.Block small = arena.allocate(MB);
        HostArena.Block fence2 = arena.allocate(MB);
        arena.release(big.pointer().address(), 3 * MB);
        arena.release(small.pointer().address(), MB);
        HostArena.Block c = arena.allocate(MB - 100);
        assertEquals(small.pointer().address(), c.pointer().address(), "the 1 MB hole, not the 3 MB one or the tail");
        HostArena.Block d = arena.allocate(2 * MB);
        assertEquals(big.pointer().address(), d.pointer().address());
        assertEquals(MB - 100, c.pointer().capacity(), "capacity is the requested size");
        for (HostArena.Block x : new HostArena.Block[] {c, d, fence1, fence2}) {
            arena.release(x.pointer().address(), x.pointer().capacity());
        }
    }

    @Test
    void onlyThePartUsedBeforeNeedsClearing() {
        HostArena arena = new HostArena();
        HostArena.Block a = arena.allocate(MB);
        assertEquals(0, a.usedBefore(), "a fresh slab is calloc's zeroes");
        arena.release(a.pointer().address(), MB);
        HostArena.Block b = arena.allocate(3 * MB);
        assertEquals(a.pointer().address(), b.pointer().address());
        assertEquals(MB, b.usedBefore(), "only the first megabyte was handed out before");
        arena.release(b.pointer().address(), 3 * MB);
    }

    @Test
    void aFullyFreeSlabIsTrimmedAndAForeignAddressRejected() {
        HostArena arena = new HostArena();
        HostArena.Block a = arena.allocate(HostArena.MAX_BLOCK);
        HostArena.Block b = arena.allocate(HostArena.MAX_BLOCK);
        arena.release(a.pointer().address(), HostArena.MAX_BLOCK);
        assertEquals(0, arena.trim(), "a slab with a block in use stays");
        arena.release(b.pointer().address(), HostArena.MAX_BLOCK);
        assertEquals(HostArena.SLAB, arena.trim());
        assertEquals(0, arena.freeBytes());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> arena.release(a.pointer().address(), 64));
        assertTrue(e.getMessage().contains("no slab holds"), e.getMessage());
    }
}
