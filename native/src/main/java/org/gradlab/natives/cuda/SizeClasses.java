package org.gradlab.natives.cuda;

/**
 * Size classes of the caching allocator: requests up to 1 MiB round up to a multiple of 512 bytes,
 * larger ones to the next power of two. A zero-byte request still gets the smallest class (512 B),
 * so that every buffer has a distinct valid address.
 */
public final class SizeClasses {
    /** Granularity of small classes. */
    public static final long SMALL_ALIGN = 512;
    /** Largest request rounded to a multiple of {@link #SMALL_ALIGN}. */
    public static final long SMALL_LIMIT = 1L << 20;

    private SizeClasses() {}

    /** The size class (bytes actually reserved) for a request of {@code bytes} bytes. */
    public static long roundUp(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation size " + bytes);
        }
        if (bytes <= SMALL_LIMIT) {
            return Math.max(SMALL_ALIGN, (bytes + SMALL_ALIGN - 1) / SMALL_ALIGN * SMALL_ALIGN);
        }
        if (bytes > (1L << 62)) {
            throw new IllegalArgumentException("allocation size too large: " + bytes);
        }
        long p = Long.highestOneBit(bytes);
        return p == bytes ? p : p << 1;
    }
}
