package org.gradlab.natives.cuda;

import java.util.Arrays;

/**
 * Pure (GPU-free, tested on the CPU) construction of the by-value structs our kernels take:
 * {@code GlStrides6} (element-wise) and {@code GlReduce6} (reductions). Field order must match the
 * structs in {@code tensor.cu} and {@code reduce.cu}.
 */
public final class KernelPlans {
    /** Maximum rank supported by the kernels. */
    public static final int MAX_DIMS = 6;

    private KernelPlans() {}

    /** Row-major contiguous strides (in elements) of {@code shape}. */
    public static long[] contiguousStrides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    /**
     * Strides to read a contiguous tensor of shape {@code in} broadcast to {@code out}
     * (numpy rules, right-aligned; broadcast dims get stride 0).
     */
    public static long[] broadcastStrides(long[] in, long[] out) {
        if (in.length > out.length) {
            throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(in) + " to " + Arrays.toString(out));
        }
        long[] cs = contiguousStrides(in);
        long[] s = new long[out.length];
        int off = out.length - in.length;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == out[i + off]) {
                s[i + off] = in[i] == 1 ? 0 : cs[i];
            } else if (in[i] == 1) {
                s[i + off] = 0;
            } else {
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(in) + " to " + Arrays.toString(out));
            }
        }
        return s;
    }

    /** Number of elements of {@code shape}. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** {@code GlStrides6}: ndim, shape[6], sa[6], sb[6] (sb may be null for unary ops). */
    public static long[] stridesStruct(long[] shape, long[] sa, long[] sb) {
        int nd = shape.length;
        if (nd > MAX_DIMS) {
            throw new IllegalArgumentException("rank " + nd + " > " + MAX_DIMS + " not supported by the CUDA kernels");
        }
        if (sa.length != nd || (sb != null && sb.length != nd)) {
            throw new IllegalArgumentException("stride rank differs from shape rank " + nd);
        }
        long[] f = new long[1 + 3 * MAX_DIMS];
        f[0] = nd;
        for (int i = 0; i < nd; i++) {
            f[1 + i] = shape[i];
            f[1 + MAX_DIMS + i] = sa[i];
            f[1 + 2 * MAX_DIMS + i] = sb == null ? 0 : sb[i];
        }
        return f;
    }

    /**
     * {@code GlReduce6} for reducing {@code axes} of a tensor with {@code shape} and element
     * {@code strides}: nout, out_shape[6], out_stride[6], nred, red_shape[6], red_stride[6], red_count.
     * The output is contiguous over the kept dimensions in their original order.
     */
    public static long[] reduceStruct(long[] shape, long[] strides, int[] axes) {
        int nd = shape.length;
        if (nd > MAX_DIMS) {
            throw new IllegalArgumentException("rank " + nd + " > " + MAX_DIMS + " not supported by the CUDA kernels");
        }
        boolean[] red = new boolean[nd];
        for (int a : axes) {
            int ax = a < 0 ? a + nd : a;
            if (ax < 0 || ax >= nd) {
                throw new IllegalArgumentException("axis " + a + " out of range for rank " + nd);
            }
            red[ax] = true;
        }
        long[] f = new long[2 + 4 * MAX_DIMS + 1];
        int no = 0, nr = 0;
        long count = 1;
        for (int i = 0; i < nd; i++) {
            if (red[i]) {
                f[2 + 2 * MAX_DIMS + nr] = shape[i];
                f[2 + 3 * MAX_DIMS + nr] = strides[i];
                count *= shape[i];
                nr++;
            } else {
                f[1 + no] = shape[i];
                f[1 + MAX_DIMS + no] = strides[i];
                no++;
            }
        }
        f[0] = no;
        f[1 + 2 * MAX_DIMS] = nr;
        f[2 + 4 * MAX_DIMS] = count;
        return f;
    }

    /** Output element count of a reduction: product of kept dims. */
    public static long reduceOutputCount(long[] shape, int[] axes) {
        long n = numel(shape);
        boolean[] red = new boolean[shape.length];
        for (int a : axes) {
            red[a < 0 ? a + shape.length : a] = true;
        }
        long r = 1;
        for (int i = 0; i < shape.length; i++) {
            if (red[i]) {
                r *= shape[i];
            }
        }
        return r == 0 ? 0 : n / r;
    }

    /** Grid size for a grid-stride loop over {@code n} items with {@code block} threads (capped). */
    public static int grid(long n, int block) {
        long g = (n + block - 1) / block;
        return (int) Math.max(1, Math.min(g, 65535L * 8));
    }
}
