package org.gradlab.engine.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An n-dimensional NumPy array held as raw little-endian bytes in C (row-major) order.
 * Immutable from the outside: factories and accessors copy.
 */
public final class NpyArray {
    private final NpyDType dtype;
    private final int[] shape;
    private final byte[] data;

    /** Wraps {@code data} without copying; package-private for the reader. */
    NpyArray(NpyDType dtype, int[] shape, byte[] data) {
        long n = numel(shape);
        if (n * dtype.itemSize() != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype.descr()
                    + " needs " + n * dtype.itemSize() + " bytes, got " + data.length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
    }

    public static NpyArray ofFloats(int[] shape, float[] v) {
        ByteBuffer b = buffer(v.length * 4L);
        b.asFloatBuffer().put(v);
        return new NpyArray(NpyDType.F4, shape, b.array());
    }

    public static NpyArray ofDoubles(int[] shape, double[] v) {
        ByteBuffer b = buffer(v.length * 8L);
        b.asDoubleBuffer().put(v);
        return new NpyArray(NpyDType.F8, shape, b.array());
    }

    public static NpyArray ofLongs(int[] shape, long[] v) {
        ByteBuffer b = buffer(v.length * 8L);
        b.asLongBuffer().put(v);
        return new NpyArray(NpyDType.I8, shape, b.array());
    }

    public static NpyArray ofInts(int[] shape, int[] v) {
        ByteBuffer b = buffer(v.length * 4L);
        b.asIntBuffer().put(v);
        return new NpyArray(NpyDType.I4, shape, b.array());
    }

    /** uint8 array ({@code |u1}); bytes are interpreted as unsigned 0..255. */
    public static NpyArray ofBytes(int[] shape, byte[] v) {
        return new NpyArray(NpyDType.U1, shape, v.clone());
    }

    /** Creates an array of any dtype from raw little-endian C-order bytes (copied). */
    public static NpyArray ofRaw(NpyDType dtype, int[] shape, byte[] raw) {
        return new NpyArray(dtype, shape, raw.clone());
    }

    public NpyDType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions (0 for a scalar). */
    public int ndim() {
        return shape.length;
    }

    public int numel() {
        return (int) numel(shape);
    }

    /** Copy of the raw little-endian bytes. */
    public byte[] rawBytes() {
        return data.clone();
    }

    /** Element {@code i} of a {@code |u1} or {@code |b1} array as 0..255. */
    public int getU8(int i) {
        if (dtype.itemSize() != 1) {
            throw new IllegalStateException("getU8 needs a 1-byte dtype, array is " + dtype.descr());
        }
        return data[i] & 0xFF;
    }

    /** Element {@code i} (flat C-order index) converted to double. */
    public double getDouble(int i) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F4: return b.getFloat(i * 4);
            case F8: return b.getDouble(i * 8);
            case I8: return b.getLong(i * 8);
            case I4: return b.getInt(i * 4);
            default: return data[i] & 0xFF;
        }
    }

    /** All elements converted to float (any dtype; f8 and i8 are rounded to nearest float). */
    public float[] toFloats() {
        int n = numel();
        float[] out = new float[n];
        if (dtype == NpyDType.F4) {
            le().asFloatBuffer().get(out);
        } else {
            double[] d = toDoubles();
            for (int i = 0; i < n; i++) out[i] = (float) d[i];
        }
        return out;
    }

    /** All elements converted to double (exact for every dtype except i8 beyond 2^53). */
    public double[] toDoubles() {
        int n = numel();
        double[] out = new double[n];
        ByteBuffer b = le();
        switch (dtype) {
            case F8: b.asDoubleBuffer().get(out); break;
            case F4: { var fb = b.asFloatBuffer(); for (int i = 0; i < n; i++) out[i] = fb.get(i); break; }
            case I8: { var lb = b.asLongBuffer(); for (int i = 0; i < n; i++) out[i] = lb.get(i); break; }
            case I4: { var ib = b.asIntBuffer(); for (int i = 0; i < n; i++) out[i] = ib.get(i); break; }
            default: for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF;
        }
        return out;
    }

    /**
     * All elements as long. Integer and bool dtypes only.
     *
     * @throws IllegalStateException for float dtypes (use {@link #toDoubles()})
     */
    public long[] toLongs() {
        int n = numel();
        long[] out = new long[n];
        ByteBuffer b = le();
        switch (dtype) {
            case I8: b.asLongBuffer().get(out); break;
            case I4: { var ib = b.asIntBuffer(); for (int i = 0; i < n; i++) out[i] = ib.get(i); break; }
            case U1: case B1: for (int i = 0; i < n; i++) out[i] = data[i] & 0xFF; break;
            default:
                throw new IllegalStateException("toLongs needs an integer dtype, array is " + dtype.descr());
        }
        return out;
    }

    /** Shape as NumPy prints it, e.g. {@code (546, 28, 28)} or {@code (4,)}. */
    public String shapeString() {
        return shapeString(shape);
    }

    static String shapeString(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(',');
        return sb.append(')').toString();
    }

    @Override
    public String toString() {
        return "NpyArray[" + dtype.descr() + " " + shapeString() + "]";
    }

    /** Product of dims; 1 for a scalar. Rejects negative dims and sizes above Integer.MAX_VALUE. */
    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("array too large: " + Arrays.toString(shape));
        }
        return n;
    }

    byte[] dataNoCopy() {
        return data;
    }

    private ByteBuffer le() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer buffer(long bytes) {
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException("array too large: " + bytes + " bytes");
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
