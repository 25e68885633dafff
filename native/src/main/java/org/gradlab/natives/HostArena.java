package org.gradlab.natives;

import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Where {@link NativeBuffer} places blocks of {@value #MIN_BLOCK} bytes up to {@value #MAX_BLOCK}
 * bytes: slabs of {@value #SLAB} bytes (each one {@code calloc}), cut best-fit into blocks, with
 * free neighbours merged again on release.
 *
 * <p>Why: a training step frees and re-allocates the same activation sizes every step, and
 * handing such blocks back to the C allocator costs page faults and kernel zeroing every step
 * (glibc serves them with mmap/munmap). Keeping released blocks for reuse avoids that, but kept
 * whole and reused only for a request of the same size, they held a quarter more memory than
 * the step's live peak (bench/README.md, "Memory (peak RSS)"). Cut from slabs
 * with merging, a freed 12 MB gradient serves the next two 6 MB activations, and the slabs hold
 * little more than the live peak; after the first step no request touches a new page.
 *
 * <p>NOTE: a slab's pages become resident only when a block first reaches them, so a slab's
 * unused tail costs address space, not memory. Memory past a slab's high-water mark is still
 * the zeroes {@code calloc} handed out: {@link #allocate} says how much of a block was used
 * before, so that a zero-filled allocation clears only that part.
 *
 * <p>NOTE: the slabs come from {@code calloc}, so their page size is the C library's to choose:
 * {@code ./gradlab} sets {@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1}, with which glibc asks for
 * transparent huge pages on what it maps; on 4 KiB pages the ops streaming multi-MB tensors
 * spent ~5 % more CPU in EfficientNet-B0 at 64 px (bench/README.md, "EfficientNet-B0 at 64 px:
 * the model's extra cost and 1x1 convs on small planes").
 */
final class HostArena {
    /** Bytes per slab. */
    static final long SLAB = 64L << 20;
    /** Smallest block placed here (smaller ones go straight to malloc). */
    static final long MIN_BLOCK = 16384;
    /** Largest block placed here (larger ones are pooled whole by size). */
    static final long MAX_BLOCK = SLAB / 4;
    /** Block starts and sizes are multiples of this (a cache line, an AVX-512 vector). */
    private static final long ALIGN = 64;

    /** A block handed out: its pointer, and how many of its leading bytes were used before (need clearing). */
    record Block(BytePointer pointer, long usedBefore) {
    }

    private static final class Slab {
        final int id;
        final BytePointer memory;
        final long base; // first aligned address
        final TreeMap<Long, Long> free = new TreeMap<>(); // offset -> bytes
        long highWater;

        Slab(int id, BytePointer memory) {
            this.id = id;
            this.memory = memory;
            this.base = (memory.address() + ALIGN - 1) / ALIGN * ALIGN;
        }
    }

    private record Free(long bytes, Slab slab, long offset) {
    }

    private final TreeMap<Long, Slab> slabs = new TreeMap<>(); // by base address
    private final TreeSet<Free> bySize = new TreeSet<>(Comparator.comparingLong(Free::bytes)
            .thenComparingInt((Free f) -> f.slab() == null ? -1 : f.slab().id).thenComparingLong(Free::offset));
    private int slabsMade;
    private long freeBytes;

    /** Bytes a request of {@code bytes} occupies here. */
    static long footprint(long bytes) {
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** The smallest free range that holds {@code bytes} (a new slab when none does), or null when the C allocator has no slab to give. */
    synchronized Block allocate(long bytes) {
        long need = footprint(bytes);
        Free f = bySize.ceiling(new Free(need, null, -1));
        if (f == null) {
            BytePointer mem = new BytePointer(Pointer.calloc(SLAB + ALIGN, 1));
            if (mem.isNull()) {
                return null;
            }
            Slab s = new Slab(slabsMade++, mem);
            slabs.put(s.base, s);
            f = new Free(SLAB, s, 0);
            add(f);
        }
        remove(f);
        if (f.bytes() > need) {
            add(new Free(f.bytes() - need, f.slab(), f.offset() + need));
        }
        Slab s = f.slab();
        long usedBefore = Math.max(0, Math.min(need, s.highWater - f.offset()));
        s.highWater = Math.max(s.highWater, f.offset() + need);
        BytePointer p = s.memory.getPointer(s.base - s.memory.address() + f.offset());
        p.capacity(Math.max(1, bytes));
        return new Block(p, usedBefore);
    }

    /** Gives back the block at {@code address} of {@code bytes} requested bytes, merged with free neighbours. */
    synchronized void release(long address, long bytes) {
        Map.Entry<Long, Slab> e = slabs.floorEntry(address);
        if (e == null || address - e.getKey() >= SLAB) {
            throw new IllegalStateException("HostArena: no slab holds the block at address " + address);
        }
        Slab s = e.getValue();
        long offset = address - s.base;
        long size = footprint(bytes);
        Map.Entry<Long, Long> before = s.free.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() == offset) {
            remove(new Free(before.getValue(), s, before.getKey()));
            offset = before.getKey();
            size += before.getValue();
        }
        Long after = s.free.get(offset + size);
        if (after != null) {
            remove(new Free(after, s, offset + size));
            size += after;
        }
        add(new Free(size, s, offset));
    }

    /** Bytes of the slabs not in use (resident or not). */
    synchronized long freeBytes() {
        return freeBytes;
    }

    /** Frees every slab with no block in use; returns how many bytes that gave back. */
    synchronized long trim() {
        long given = 0;
        for (var it = slabs.values().iterator(); it.hasNext(); ) {
            Slab s = it.next();
            Long whole = s.free.get(0L);
            if (whole != null && whole == SLAB) {
                remove(new Free(SLAB, s, 0));
                it.remove();
                Pointer.free(s.memory);
                given += SLAB;
            }
        }
        return given;
    }

    private void add(Free f) {
        bySize.add(f);
        f.slab().free.put(f.offset(), f.bytes());
        freeBytes += f.bytes();
    }

    private void remove(Free f) {
        if (!bySize.remove(f)) {
            throw new IllegalStateException("HostArena: free range " + f.bytes() + " at " + f.offset() + " not found");
        }
        f.slab().free.remove(f.offset());
        freeBytes -= f.bytes();
    }
}
