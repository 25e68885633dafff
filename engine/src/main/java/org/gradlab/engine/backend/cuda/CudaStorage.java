package org.gradlab.engine.backend.cuda;

import java.lang.ref.Cleaner;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Storage;
import org.gradlab.natives.cuda.CudaContext;
import org.gradlab.natives.cuda.DeviceBuffer;

/**
 * Device storage: one {@link DeviceBuffer} from the context's caching allocator. Released
 * deterministically by {@link #close()} (its {@code MemoryScope}), which returns the block to the
 * allocator's cache; a storage nobody closes goes back when it becomes unreachable (Cleaner).
 *
 * <p>NOTE: a released block may be handed out again at once, before queued kernels that read it
 * have run. That is safe because every kernel, copy and library call of a device is queued on
 * the ONE stream of its {@link CudaContext}: work queued earlier runs before any later writer.
 */
public final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaContext ctx;
    private final DeviceBuffer buffer;
    private final Cleaner.Cleanable cleanable;

    /** Allocates {@code size} elements; contents undefined unless {@code zero}. */
    CudaStorage(CudaContext ctx, DType dtype, long size, boolean zero) {
        super(dtype, size);
        this.ctx = ctx;
        this.buffer = ctx.allocate(size * dtype.bytes());
        DeviceBuffer b = buffer;
        this.cleanable = CLEANER.register(this, b::close); // the action must not reference this storage
        if (zero && size > 0) {
            ctx.stream().memsetAsync(buffer.address(), 0, size * dtype.bytes());
        }
    }

    @Override
    public Device device() {
        return Device.cuda(ctx.device());
    }

    public CudaContext context() {
        return ctx;
    }

    @Override
    public boolean isReleased() {
        return buffer == null || buffer.isClosed();
    }

    @Override
    public void close() {
        if (cleanable != null) {
            cleanable.clean();
        }
    }

    /** Device address of element {@code index} (bytes = index × element size). */
    public long address(long index) {
        if (isReleased()) {
            throw new IllegalStateException("tensor memory (" + bytes() + " bytes, " + dtype() + ", " + device()
                    + ") was already released (its MemoryScope closed or release() was called)");
        }
        if (index < 0 || index > size()) {
            throw new IndexOutOfBoundsException("element " + index + " outside storage of " + size() + " elements");
        }
        return buffer.address() + index * dtype().bytes();
    }
}
