package org.gradlab.challenge.run;

import java.util.List;
import org.gradlab.engine.MemoryScope;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;

/**
 * torch.nn.utils.clip_grad_norm_: when the L2 norm of all gradients together exceeds {@code maxNorm}, every
 * gradient is scaled by {@code maxNorm / (norm + 1e-6)}. Returns the norm before clipping.
 */
final class GradClip {
    private GradClip() {}

    static double clip(List<Tensor> params, double maxNorm) {
        double sumSq = 0;
        try (GradMode ng = GradMode.noGrad(); MemoryScope scope = MemoryScope.open()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    sumSq += g.mul(g).sum().item();
                }
            }
            double norm = Math.sqrt(sumSq);
            double scale = maxNorm / (norm + 1e-6);
            if (scale < 1) {
                for (Tensor p : params) {
                    Tensor g = p.grad();
                    if (g != null) {
                        g.backend().elementwise().copyInto(g, g.mul(scale));
                    }
                }
            }
            return norm;
        }
    }
}
