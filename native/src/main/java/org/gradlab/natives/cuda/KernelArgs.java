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
    private final List<String> kinds = new ArrayList<>();
    private PointerPointer<Pointer> array;

    /** A device pointer argument ({@code T*}); 0 passes {@code nullptr}. */
    public KernelArgs ptr(long address) {
        return add("ptr", new LongPointer(1).put(address));
    }

    public KernelArgs i32(int v) {
        return add("i32", new IntPointer(1).put(v));
    }

    public KernelArgs i64(long v) {
        return add("i64", new LongPointer(1).put(v));
    }

    public KernelArgs f32(float v) {
        return add("f32", new FloatPointer(1).put(v));
    }

    public KernelArgs f64(double v) {
        return add("f64", new DoublePointer(1).put(v));
    }

    /** A by-value struct made of 64-bit fields (as the GlStrides6 / GlReduce6 structs of our kernels). */
    public KernelArgs struct64(long[] fields) {
        return add("struct64[" + fields.length + "]", new LongPointer(fields));
    }

    /** Raw bytes as one by-value argument. */
    public KernelArgs bytes(byte[] b) {
        return add("bytes[" + b.length + "]", new BytePointer(b));
    }

    /**
     * The kind of each argument in order ("ptr", "i32", "i64", "f32", "f64", "struct64[N]",
     * "bytes[N]"): what a test compares with the kernel's C parameter list.
     */
    public List<String> kinds() {
        return List.copyOf(kinds);
    }

    private KernelArgs add(String kind, Pointer p) {
        kinds.add(kind);
        return add(p);
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
