package org.gradlab.natives.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Kernel parameters for {@code cuLaunchKernel}: each argument lives in its own small native cell
 * and {@link #pointers()} is the {@code void**} array of their addresses. The driver copies the
 * values at launch, so {@link #close()} right after launching is safe.
 */
public final class KernelArgs implements AutoCloseable {
    private final List<Pointer> cells = new ArrayList<>();
    private PointerPointer<Pointer> array;

    /** A device pointer argument ({@code T*}); 0 passes {@code nullptr}. */
    public KernelArgs ptr(long address) {
        return i64(address);
    }

    public KernelArgs i32(int v) {
        return add(new IntPointer(1).put(v));
    }

    public KernelArgs i64(long v) {
        return add(new LongPointer(1).put(v));
    }

    public KernelArgs f32(float v) {
        return add(new FloatPointer(1).put(v));
    }

    public KernelArgs f64(double v) {
        return add(new DoublePointer(1).put(v));
    }

    /** A by-value struct made of 64-bit fields (as the GlStrides6 / GlReduce6 structs of our kernels). */
    public KernelArgs struct64(long[] fields) {
        return add(new LongPointer(fields));
    }

    /** Raw bytes as one by-value argument. */
    public KernelArgs bytes(byte[] b) {
        return add(new BytePointer(b));
    }

    private KernelArgs add(Pointer p) {
        if (array != null) {
            throw new IllegalStateException("arguments already finalized");
        }
        cells.add(p);
        return this;
    }

    /** The {@code void**} array (built on first call). */
    PointerPointer<Pointer> pointers() {
        if (array == null) {
            array = new PointerPointer<>(cells.size());
            for (int i = 0; i < cells.size(); i++) {
                array.put(i, cells.get(i));
            }
        }
        return array;
    }

    public int size() {
        return cells.size();
    }

    @Override
    public void close() {
        if (array != null) {
            array.close();
            array = null;
        }
        for (Pointer p : cells) {
            p.close();
        }
        cells.clear();
    }
}
