package org.gradlab.natives.cuda;

import java.util.List;

/**
 * Layer norm and softmax ({@code rowwise.cu}) with the CPU backend's math (sums in double).
 * Layer norm: a contiguous tensor read as R rows of D elements; per-row mean/invstd and per-column
 * weight/bias have the data's dtype. Softmax: a contiguous (outer, n, inner) tensor, along n.
 * Pointers that may be absent are passed as 0.
 */
public final class RowwiseKernels {
    /** Kernel source file. */
    public static final String FILE = "rowwise.cu";

    private final KernelLauncher k;

    RowwiseKernels(KernelLauncher k) {
        this.k = k;
    }

    /** Every kernel name this class launches (both dtypes). */
    public static List<String> kernelNames() {
        return KernelNames.bothTypes(List.of("ln_fwd", "ln_bwd_dx", "ln_bwd_params", "softmax_fwd", "softmax_bwd"));
    }

    /** out = (x − mean)·invstd·w + b per row; writes mean and invstd = 1/sqrt(biased var + eps) (R each). */
    public void layerNormForward(DType t, long x, long out, long rows, long d, double eps, long w, long b, long mean,
                                 long invstd) {
        if (rows > 0) {
            k.launchGrid(FILE, "ln_fwd_" + t.suffix(), Kernels.rowGrid(rows), new KernelArgs().ptr(x).ptr(out).i64(rows).i64(d)
                    .f64(eps).ptr(w).ptr(b).ptr(mean).ptr(invstd));
        }
    }

    /** gx = invstd·(gh − mean(gh) − xhat·mean(gh·xhat)) per row, gh = g·w (w 0 = ones). */
    public void layerNormBackwardInput(DType t, long g, long x, long gx, long rows, long d, long w, long mean, long invstd) {
        if (rows > 0) {
            k.launchGrid(FILE, "ln_bwd_dx_" + t.suffix(), Kernels.rowGrid(rows), new KernelArgs().ptr(g).ptr(x).ptr(gx)
                    .i64(rows).i64(d).ptr(w).ptr(mean).ptr(invstd));
        }
    }

    /** gw = Σ_rows g·xhat, gb = Σ_rows g (D each; 0 = skip). */
    public void layerNormBackwardParams(DType t, long g, long x, long rows, long d, long mean, long invstd, long gw, long gb) {
        if (d > 0) {
            k.launch(FILE, "ln_bwd_params_" + t.suffix(), d, new KernelArgs().ptr(g).ptr(x).i64(rows).i64(d).ptr(mean)
                    .ptr(invstd).ptr(gw).ptr(gb));
        }
    }

    /** y = softmax of x along n of a contiguous (outer, n, inner) tensor. */
    public void softmaxForward(DType t, long x, long y, long outer, long n, long inner) {
        if (outer * inner > 0 && n > 0) {
            k.launchGrid(FILE, "softmax_fwd_" + t.suffix(), Kernels.rowGrid(outer * inner), new KernelArgs().ptr(x).ptr(y)
                    .i64(outer).i64(n).i64(inner));
        }
    }

    /** gx = y·(g − Σ_n g·y). */
    public void softmaxBackward(DType t, long g, long y, long gx, long outer, long n, long inner) {
        if (outer * inner > 0 && n > 0) {
            k.launchGrid(FILE, "softmax_bwd_" + t.suffix(), Kernels.rowGrid(outer * inner), new KernelArgs().ptr(g).ptr(y)
                    .ptr(gx).i64(outer).i64(n).i64(inner));
        }
    }
}
