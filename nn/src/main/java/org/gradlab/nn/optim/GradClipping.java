package org.gradlab.nn.optim;

import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.BinaryFn;

/**
 * Gradient clipping by the global norm, {@code torch.nn.utils.clip_grad_norm_(params, max_norm,
 * norm_type)}: the norm of all gradients together (as if concatenated into one vector),
 * <pre>
 *   total = (Σ_p Σ_i |g_p,i|^q)^(1/q)       (q = 2: sqrt of the sum of squares; q = ∞: max |g|)
 *   every g_p *= min(1, max_norm / (total + 1e−6))      in place
 * </pre>
 * and returns {@code total} (before clipping). Parameters without a gradient are skipped.
 * NOTE: PyTorch multiplies by the clamped coefficient even when it is 1; here the gradients are
 * left untouched then, which is the same numbers. Sums are accumulated in double.
 */
public final class GradClipping {
    private GradClipping() {}

    /** L2 clipping: {@code clip_grad_norm_(params, maxNorm)}. */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0);
    }

    /** {@code normType} 2 (L2), any other q ≥ 1, or {@link Double#POSITIVE_INFINITY} (max |g|). */
    public static double clipGradNorm(Iterable<Tensor> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clip_grad_norm: max_norm must be >= 0, got " + maxNorm);
        }
        if (!(normType >= 1)) {
            throw new IllegalArgumentException("clip_grad_norm: norm_type must be >= 1 or infinity, got " + normType);
        }
        double total = totalNorm(params, normType);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                if (g.isContiguous()) {
                    g.backend().elementwise().scale(g, coef);
                } else {
                    try (MemoryScope s = MemoryScope.open()) {
                        g.backend().elementwise().copyInto(g, g.detach().mul(coef));
                    }
                }
            }
        }
        return total;
    }

    /** The global {@code normType}-norm of the gradients (0 when none has one). */
    public static double totalNorm(Iterable<Tensor> params, double normType) {
        double acc = 0;
        try (MemoryScope s = MemoryScope.open()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null || g.numel() == 0) {
                    continue;
                }
                Tensor a = g.detach().abs();
                if (normType == Double.POSITIVE_INFINITY) {
                    acc = Math.max(acc, a.max(allAxes(a), false).item());
                } else if (normType == 2.0) {
                    acc += a.backend().reduce().sum(a.backend().elementwise().binary(BinaryFn.MUL, a, a), allAxes(a), false).item();
                } else {
                    acc += a.pow(normType).sum().item();
                }
            }
        }
        return normType == Double.POSITIVE_INFINITY ? acc : Math.pow(acc, 1.0 / normType);
    }

    private static int[] allAxes(Tensor t) {
        int[] a = new int[t.dim()];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        return a;
    }
}
