package org.gradlab.natives.cuda;

import java.util.List;

/**
 * The engine's tensor kernels ({@code tensor.cu}): its unary/binary functions over strided views,
 * strided copy between dtypes, strided fill, axpy, scale, per-channel bias and first-maximum
 * reductions. Addresses are device byte addresses of element 0 of each view (the caller adds
 * offset × element size); shapes and strides are in elements. Launches are queued on the
 * context's stream.
 */
public final class TensorKernels {
    /** Kernel source file. */
    public static final String FILE = "tensor.cu";

    private static final List<String> BASES = List.of("fn_unary", "fn_binary", "fill", "axpy", "scale", "channel_bias", "argmax");
    private static final List<String> COPIES = List.of("copy_f32_f32", "copy_f64_f64", "copy_f32_f64", "copy_f64_f32");

    private final KernelLauncher k;

    TensorKernels(KernelLauncher k) {
        this.k = k;
    }

    /** Every kernel name this class launches (both dtypes). */
    public static List<String> kernelNames() {
        return KernelNames.withCopies(BASES, COPIES);
    }

    /**
     * {@code out = fn(x)} with {@code fn} the ordinal of the engine's {@code UnaryFn} (NEG .. SIGN),
     * evaluated in double; x strided, out contiguous over {@code shape}.
     */
    public void unary(DType t, int fn, double p, double q, long x, long[] shape, long[] xStrides, long out) {
        long n = KernelPlans.numel(shape);
        if (n > 0) {
            k.launch(FILE, "fn_unary_" + t.suffix(), n, new KernelArgs().ptr(x).ptr(out).i64(n).i32(fn).f64(p).f64(q)
                    .struct64(KernelPlans.stridesStruct(shape, xStrides, null)));
        }
    }

    /** {@code out = a fn b} with {@code fn} the ordinal of the engine's {@code BinaryFn}; strides 0 broadcast. */
    public void binary(DType t, int fn, long a, long[] aStrides, long b, long[] bStrides, long[] shape, long out) {
        long n = KernelPlans.numel(shape);
        if (n > 0) {
            k.launch(FILE, "fn_binary_" + t.suffix(), n, new KernelArgs().ptr(a).ptr(b).ptr(out).i64(n).i32(fn)
                    .struct64(KernelPlans.stridesStruct(shape, aStrides, bStrides)));
        }
    }

    /** {@code dst[view] = (dstType) src[view]} over {@code shape}, both read/written through strides. */
    public void copy(DType srcType, long src, long[] srcStrides, DType dstType, long dst, long[] dstStrides, long[] shape) {
        long n = KernelPlans.numel(shape);
        if (n > 0) {
            k.launch(FILE, "copy_" + srcType.suffix() + "_" + dstType.suffix(), n, new KernelArgs().ptr(src).ptr(dst).i64(n)
                    .struct64(KernelPlans.stridesStruct(shape, srcStrides, dstStrides)));
        }
    }

    /** Every element of the strided view {@code dst} = value. */
    public void fill(DType t, long dst, long[] shape, long[] strides, double value) {
        long n = KernelPlans.numel(shape);
        if (n > 0) {
            k.launch(FILE, "fill_" + t.suffix(), n, new KernelArgs().ptr(dst).i64(n).f64(value)
                    .struct64(KernelPlans.stridesStruct(shape, strides, null)));
        }
    }

    /** {@code dst += alpha * src} over n contiguous elements (product rounded before the add). */
    public void axpy(DType t, long dst, long src, long n, double alpha) {
        if (n > 0) {
            k.launch(FILE, "axpy_" + t.suffix(), n, new KernelArgs().ptr(dst).ptr(src).i64(n).f64(alpha));
        }
    }

    /** {@code dst *= alpha} over n contiguous elements. */
    public void scale(DType t, long dst, long n, double alpha) {
        if (n > 0) {
            k.launch(FILE, "scale_" + t.suffix(), n, new KernelArgs().ptr(dst).i64(n).f64(alpha));
        }
    }

    /** {@code out[n, c, s] += bias[c]} over a contiguous (N, C, S) tensor of {@code total} elements. */
    public void channelBias(DType t, long out, long bias, long total, long channels, long spatial) {
        if (total > 0) {
            k.launch(FILE, "channel_bias_" + t.suffix(), total, new KernelArgs().ptr(out).ptr(bias).i64(total).i64(channels)
                    .i64(spatial));
        }
    }

    /**
     * First-maximum reduction of {@code axes} of x (shape, element strides): writes the maxima to
     * {@code outMax} (contiguous over the kept dims; 0 = skip) and, when {@code gx != 0}, scatters
     * {@code g[o]} (contiguous over the kept dims) to the FIRST maximum of each block in gx, a
     * contiguous ZERO-FILLED tensor of x's shape. NaN counts as maximal (first NaN wins).
     */
    public void argmax(DType t, long x, long[] shape, long[] strides, int[] axes, long outMax, long g, long gx) {
        long nOut = KernelPlans.reduceOutputCount(shape, axes);
        if (nOut == 0 || KernelPlans.numel(shape) == 0) {
            return;
        }
        long[] rx = KernelPlans.reduceStruct(shape, strides, axes);
        long[] rc = KernelPlans.reduceStruct(shape, KernelPlans.contiguousStrides(shape), axes);
        k.launchGrid(FILE, "argmax_" + t.suffix(), (int) Math.min(nOut, 65535L * 16), new KernelArgs().ptr(x).i64(nOut)
                .struct64(rx).struct64(rc).ptr(outMax).ptr(g).ptr(gx));
    }
}
