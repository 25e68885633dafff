package org.gradlab.engine.backend.cpu;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Storage;
import org.gradlab.natives.NativeBuffer;

/**
 * Host storage in off-heap memory ({@link NativeBuffer}): Java kernels use the buffer views,
 * OpenBLAS gets the raw pointer — no copies at the JNI border.
 */
public final class CpuStorage extends Storage {
    private final NativeBuffer buffer;
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;

    CpuStorage(DType dtype, long size) {
        this(dtype, size, true);
    }

    /** {@code zeroed = false}: contents undefined, see {@link NativeBuffer#allocateUninitialized}. */
    CpuStorage(DType dtype, long size, boolean zeroed) {
        super(dtype, size);
        this.buffer = zeroed ? NativeBuffer.allocate(size * dtype.bytes()) : NativeBuffer.allocateUninitialized(size * dtype.bytes());
        this.floats = dtype == DType.F32 ? buffer.asFloats() : null;
        this.doubles = dtype == DType.F64 ? buffer.asDoubles() : null;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public boolean isReleased() {
        return buffer.isClosed();
    }

    @Override
    public void close() {
        buffer.close();
    }

    public NativeBuffer buffer() {
        checkLive();
        return buffer;
    }

    public FloatBuffer f32() {
        checkLive();
        if (floats == null) {
            throw new IllegalStateException("storage holds " + dtype() + ", not float32");
        }
        return floats;
    }

    public DoubleBuffer f64() {
        checkLive();
        if (doubles == null) {
            throw new IllegalStateException("storage holds " + dtype() + ", not float64");
        }
        return doubles;
    }

    public double get(long i) {
        checkLive();
        return floats != null ? floats.get((int) i) : doubles.get((int) i);
    }

    public void set(long i, double v) {
        checkLive();
        if (floats != null) {
            floats.put((int) i, (float) v);
        } else {
            doubles.put((int) i, v);
        }
    }

    private void checkLive() {
        if (buffer.isClosed()) {
            throw new IllegalStateException("tensor memory (" + bytes() + " bytes, " + dtype()
                    + ") was already released (its MemoryScope closed or release() was called)");
        }
    }
}
