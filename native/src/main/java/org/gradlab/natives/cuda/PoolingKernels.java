package org.gradlab.natives.cuda;

import java.util.List;

/**
 * 2-D pooling kernels ({@code pool.cu}) over contiguous NCHW data seen as {@code planes = N*C}
 * planes of H×W, floor mode. Max pooling selects the FIRST maximum in row-major window order
 * (the CPU rule, which cuDNN does not promise); backward kernels gather per input element, so they
 * are deterministic. Window geometry is a {@link Window}.
 */
public final class PoolingKernels {
    /** Kernel source file. */
    public static final String FILE = "pool.cu";

    private final KernelLauncher k;

    /** Plane geometry and window (kernel, stride, padding per axis). */
    public record Window(long planes, int h, int w, int outH, int outW, int kH, int kW, int strideH, int strideW, int padH,
                         int padW) {
        KernelArgs append(KernelArgs a) {
            return a.i64(planes).i32(h).i32(w).i32(outH).i32(outW).i32(kH).i32(kW).i32(strideH).i32(strideW).i32(padH).i32(padW);
        }

        long outputs() {
            return planes * outH * outW;
        }

        long inputs() {
            return planes * h * w;
        }
    }

    PoolingKernels(KernelLauncher k) {
        this.k = k;
    }

    /** Every kernel name this class launches (both dtypes). */
    public static List<String> kernelNames() {
        return KernelNames.bothTypes(List.of("maxpool_fwd", "maxpool_bwd", "avgpool_fwd", "avgpool_bwd"));
    }

    /**
     * Max pooling: {@code out} (0 = skip) gets the maxima, {@code idx} (int32, 0 = skip) and
     * {@code idxD} (float64, 0 = skip) the flat index h*W + w of each window's selected element.
     */
    public void maxForward(DType t, long x, long out, long idx, long idxD, Window win) {
        if (win.outputs() > 0) {
            k.launch(FILE, "maxpool_fwd_" + t.suffix(), win.outputs(), win.append(new KernelArgs().ptr(x).ptr(out).ptr(idx).ptr(idxD)));
        }
    }

    /** gx (every element written) = sum of g over the windows whose int32 index {@code idx} selected it. */
    public void maxBackward(DType t, long g, long idx, long gx, Window win) {
        if (win.inputs() > 0) {
            k.launch(FILE, "maxpool_bwd_" + t.suffix(), win.inputs(), win.append(new KernelArgs().ptr(g).ptr(idx).ptr(gx)));
        }
    }

    /**
     * Average pooling; {@code adaptive} ignores kernel/stride/padding and uses the bins
     * floor(o*H/Ho) .. ceil((o+1)*H/Ho)-1; else the divisor counts padding when {@code countIncludePad}.
     */
    public void avgForward(DType t, long x, long out, Window win, boolean countIncludePad, boolean adaptive) {
        if (win.outputs() > 0) {
            k.launch(FILE, "avgpool_fwd_" + t.suffix(), win.outputs(), win.append(new KernelArgs().ptr(x).ptr(out))
                    .i32(countIncludePad ? 1 : 0).i32(adaptive ? 1 : 0));
        }
    }

    /** Backward of {@link #avgForward}: every element of gx is written. */
    public void avgBackward(DType t, long g, long gx, Window win, boolean countIncludePad, boolean adaptive) {
        if (win.inputs() > 0) {
            k.launch(FILE, "avgpool_bwd_" + t.suffix(), win.inputs(), win.append(new KernelArgs().ptr(g).ptr(gx))
                    .i32(countIncludePad ? 1 : 0).i32(adaptive ? 1 : 0));
        }
    }
}
