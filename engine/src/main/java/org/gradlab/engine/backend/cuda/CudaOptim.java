package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import java.util.Arrays;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.OptimKernels;

/** Fused SGD / Adam / AdamW updates ({@code optim.cu}): one pass per parameter, math in double as on the CPU. */
final class CudaOptim implements OptimKernels {

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                         double weightDecay, long step, boolean decoupled) {
        check("adam", p, g, m, v);
        Tensor gc = dense(g);
        ctx(p).kernels().adamStep(type(p), ptr(p), ptr(gc), ptr(m), ptr(v), p.numel(), lr, beta1, beta2, eps, weightDecay, step,
                decoupled);
    }

    @Override
    public void sgdStep(Tensor p, Tensor g, Tensor buf, double lr, double momentum, double dampening, boolean nesterov,
                        double weightDecay, boolean firstStep) {
        check("sgd", p, g, buf == null ? p : buf, p);
        Tensor gc = dense(g);
        if (p.numel() > 0) {
            ctx(p).kernels().sgdStep(type(p), ptr(p), ptr(gc), ptrOrNull(buf), p.numel(), lr, momentum, dampening, weightDecay,
                    nesterov, firstStep);
        }
    }

    private static void check(String op, Tensor p, Tensor g, Tensor a, Tensor b) {
        for (Tensor t : new Tensor[] {p, a, b}) {
            if (!t.isContiguous()) {
                throw new IllegalArgumentException(op + ": parameters and state must be contiguous");
            }
        }
        for (Tensor t : new Tensor[] {g, a, b}) {
            requireSameDevice(op, p, t);
            if (!Arrays.equals(t.shape(), p.shape()) || t.dtype() != p.dtype()) {
                throw new IllegalArgumentException(op + ": tensor " + Shape.str(t.shape()) + " " + t.dtype()
                        + " does not match the parameter " + Shape.str(p.shape()) + " " + p.dtype());
            }
        }
    }
}
