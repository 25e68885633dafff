package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/**
 * Fused optimizer updates: one pass over each parameter instead of a chain of elementwise ops
 * (an Adam step composed from ops reads and writes memory about nine times). All tensors are
 * contiguous and of one shape; {@code p}, {@code m}, {@code v}, {@code buf} are updated in place.
 */
public interface OptimKernels {
    /**
     * Adam / AdamW (PyTorch 1.13 single-tensor semantics), t = {@code step} ≥ 1:
     * <pre>
     *   AdamW: p *= 1 - lr·wd          Adam: g += wd·p   (L2)
     *   m = β1·m + (1-β1)·g;   v = β2·v + (1-β2)·g²
     *   p -= lr/(1-β1^t) · m / (sqrt(v)/sqrt(1-β2^t) + eps)
     * </pre>
     */
    void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                  double weightDecay, long step, boolean decoupled);

    /**
     * SGD with momentum (PyTorch semantics): g += wd·p; buf = g at the first step, else
     * buf = μ·buf + (1-dampening)·g; g = g + μ·buf (Nesterov) or buf; p -= lr·g.
     * {@code buf} is null when momentum is 0.
     */
    void sgdStep(Tensor p, Tensor g, Tensor buf, double lr, double momentum, double dampening, boolean nesterov,
                 double weightDecay, boolean firstStep);
}
