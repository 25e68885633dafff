package org.gradlab.natives.cuda;

import java.util.List;

/**
 * Batch-norm kernels ({@code norm.cu}) over a contiguous (N, C, S) tensor with the CPU backend's
 * math (double statistics, two-pass variance). Per-channel tensors have C contiguous elements of
 * the data's dtype; {@code sums}/{@code var} scratch buffers are float64. Pointers that may be
 * absent are passed as 0.
 */
public final class BatchNormKernels {
    /** Kernel source file. */
    public static final String FILE = "norm.cu";

    private final KernelLauncher k;

    BatchNormKernels(KernelLauncher k) {
        this.k = k;
    }

    /** Every kernel name this class launches (both dtypes). */
    public static List<String> kernelNames() {
        return KernelNames.bothTypes(List.of("bn_stats", "bn_running", "bn_invstd", "bn_apply", "bn_bwd_reduce", "bn_bwd_dx",
                "bn_bwd_params"));
    }

    /** saveMean = batch mean, saveInvstd = 1/sqrt(biased var + eps), var (float64, 0 = skip) = biased var. */
    public void stats(DType t, long x, long n, long c, long s, double eps, long saveMean, long saveInvstd, long var) {
        k.launchGrid(FILE, "bn_stats_" + t.suffix(), Kernels.rowGrid(c), new KernelArgs().ptr(x).i64(n).i64(c).i64(s).f64(eps)
                .ptr(saveMean).ptr(saveInvstd).ptr(var));
    }

    /**
     * running = (1-momentum)*running + momentum*batch (variance × {@code factor}); the biased batch
     * variance is {@code var} when non-zero, else 1/invstd² - eps.
     */
    public void running(DType t, long runningMean, long runningVar, long mean, long invstd, long var, long c, double momentum,
                        double eps, double factor) {
        k.launch(FILE, "bn_running_" + t.suffix(), c, new KernelArgs().ptr(runningMean).ptr(runningVar).ptr(mean).ptr(invstd)
                .ptr(var).i64(c).f64(momentum).f64(eps).f64(factor));
    }

    /** invstd = 1/sqrt(runningVar + eps). */
    public void invstd(DType t, long runningVar, long invstd, long c, double eps) {
        k.launch(FILE, "bn_invstd_" + t.suffix(), c, new KernelArgs().ptr(runningVar).ptr(invstd).i64(c).f64(eps));
    }

    /** out = (x - mean) * invstd * weight + bias, computed as x*scale + shift. */
    public void apply(DType t, long x, long out, long total, long c, long s, long mean, long invstd, long weight, long bias) {
        if (total > 0) {
            k.launch(FILE, "bn_apply_" + t.suffix(), total, new KernelArgs().ptr(x).ptr(out).i64(total).i64(c).i64(s).ptr(mean)
                    .ptr(invstd).ptr(weight).ptr(bias));
        }
    }

    /** sums[2c] = Σ g, sums[2c+1] = Σ g·(x - mean) per channel (sums: 2C float64). */
    public void backwardReduce(DType t, long g, long x, long n, long c, long s, long mean, long sums) {
        k.launchGrid(FILE, "bn_bwd_reduce_" + t.suffix(), Kernels.rowGrid(c), new KernelArgs().ptr(g).ptr(x).i64(n).i64(c).i64(s)
                .ptr(mean).ptr(sums));
    }

    /** gx = w·invstd·(g - Σg/M - (x-mean)·invstd²·Σg(x-mean)/M) in training, w·invstd·g in eval; M = N·S. */
    public void backwardInput(DType t, long g, long x, long gx, long total, long c, long s, long mean, long invstd, long weight,
                              long sums, boolean training) {
        if (total > 0) {
            k.launch(FILE, "bn_bwd_dx_" + t.suffix(), total, new KernelArgs().ptr(g).ptr(x).ptr(gx).i64(total).i64(c).i64(s)
                    .ptr(mean).ptr(invstd).ptr(weight).ptr(sums).f64(total / (double) c).i32(training ? 1 : 0));
        }
    }

    /** gw = Σ g(x-mean) · invstd, gb = Σ g (either 0 = skip). */
    public void backwardParams(DType t, long sums, long invstd, long gw, long gb, long c) {
        k.launch(FILE, "bn_bwd_params_" + t.suffix(), c, new KernelArgs().ptr(sums).ptr(invstd).ptr(gw).ptr(gb).i64(c));
    }
}
