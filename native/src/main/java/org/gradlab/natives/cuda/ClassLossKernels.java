package org.gradlab.natives.cuda;

import java.util.List;

/**
 * Cross-entropy / NLL with the engine's semantics ({@code closs.cu}): FLOAT class-index targets
 * validated on the device, optional class weights, label smoothing, reduction MEAN/SUM/NONE, and
 * the input gradient for a unit upstream. A bad target never crashes: the smallest bad row is
 * written to an int32 error flag that the caller reads back ({@link #NO_ERROR} = none).
 */
public final class ClassLossKernels {
    /** Kernel source file. */
    public static final String FILE = "closs.cu";
    /** Value the error flag must be initialised to (memset of byte 0x7f): no bad row. */
    public static final int NO_ERROR = 0x7f7f7f7f;
    /** Byte to memset the error flag with. */
    public static final int NO_ERROR_BYTE = 0x7f;

    /** Reduction codes of the kernels. */
    public enum Mode { MEAN, SUM, NONE }

    private final KernelLauncher k;

    ClassLossKernels(KernelLauncher k) {
        this.k = k;
    }

    /** Every kernel name this class launches (both dtypes). */
    public static List<String> kernelNames() {
        return KernelNames.bothTypes(List.of("ce_rows", "ce_reduce", "ce_grad"));
    }

    /**
     * Per-row pass. Scratch (float64): {@code perSample} N, {@code rowW} N, {@code lse} N;
     * {@code err} one int32 preset to {@link #NO_ERROR}. {@code fromLogits}: x are logits
     * (cross-entropy), else log-probabilities (NLL). {@code weight} 0 = all ones.
     */
    public void rows(DType t, long x, long target, long weight, long n, long c, double smoothing, boolean fromLogits,
                     long perSample, long rowW, long lse, long err) {
        k.launchGrid(FILE, "ce_rows_" + t.suffix(), Kernels.rowGrid(n), new KernelArgs().ptr(x).ptr(target).ptr(weight).i64(n)
                .i64(c).f64(smoothing).i32(fromLogits ? 1 : 0).ptr(perSample).ptr(rowW).ptr(lse).ptr(err));
    }

    /** Single block: out = the loss (one value, or N per-sample values for NONE); stats (2 float64) = {norm, Σw}. */
    public void reduce(DType t, long perSample, long rowW, long weight, long n, long c, Mode mode, long out, long stats) {
        k.launchGrid(FILE, "ce_reduce_" + t.suffix(), 1, new KernelArgs().ptr(perSample).ptr(rowW).ptr(weight).i64(n).i64(c)
                .i32(mode.ordinal()).ptr(out).ptr(stats));
    }

    /** grad (N, C) for a unit upstream gradient, after {@link #rows} and {@link #reduce}. */
    public void grad(DType t, long x, long target, long weight, long n, long c, double smoothing, boolean fromLogits, long lse,
                     long stats, long grad) {
        if (n * c > 0) {
            k.launch(FILE, "ce_grad_" + t.suffix(), n * c, new KernelArgs().ptr(x).ptr(target).ptr(weight).i64(n).i64(c)
                    .f64(smoothing).i32(fromLogits ? 1 : 0).ptr(lse).ptr(stats).ptr(grad));
        }
    }
}
