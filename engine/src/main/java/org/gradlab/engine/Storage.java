package org.gradlab.engine;

/**
 * A flat block of numbers of one dtype on one device. Tensors are views (shape, strides,
 * offset) over a storage. Released deterministically by {@link #close()} (or by the
 * {@link MemoryScope} it was created in).
 */
public abstract class Storage implements AutoCloseable {
    private final DType dtype;
    private final long size;

    protected Storage(DType dtype, long size) {
        this.dtype = dtype;
        this.size = size;
        MemoryScope.track(this);
    }

    public final DType dtype() {
        return dtype;
    }

    /** Number of elements. */
    public final long size() {
        return size;
    }

    public final long bytes() {
        return size * dtype.bytes();
    }

    public abstract Device device();

    public abstract boolean isReleased();

    @Override
    public abstract void close();
}
