package org.gradlab.engine.ops;

import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.LossKernels.LossResult;

/**
 * Cross-entropy of logits (N, C) with class-index targets y (N), class weights w (C) (null:
 * all 1) and label smoothing ε, logp = log_softmax(logits):
 * <pre>
 *   l_i = (1−ε)·w[y_i]·(−logp[i,y_i]) + (ε/C)·Σ_c w[c]·(−logp[i,c])
 *   NONE: (l_i) shape (N);  SUM: Σ_i l_i;  MEAN: Σ_i l_i / Σ_i w[y_i]   (shape ())
 * </pre>
 * i.e. MEAN = (1−ε)·nll + (ε/C)·smooth with nll = Σ w[y_i](−logp[i,y_i]) / Σ w[y_i] and
 * smooth = Σ_i Σ_c w[c](−logp[i,c]) / Σ_i w[y_i].
 * NOTE: the smoothing term is normalised by the weights of the TARGET classes (PyTorch 1.13).
 * One fused kernel computes the loss and, when recording, the gradient for a unit upstream.
 *
 * <p>With a[i,c] = (1−ε)·w[y_i]·[c=y_i] + (ε/C)·w[c], A_i = Σ_c a[i,c], p = softmax(logits):
 * d/dlogits[i,c] = s·g_i·(A_i·p[i,c] − a[i,c]), s = 1/Σ w[y] (MEAN) or 1.
 */
@Derivative("d ce/d logits[i,c] = s * g_i * (A_i * softmax[i,c] - a[i,c])")
public final class CrossEntropy extends Op {
    private Reduction reduction;

    public static Tensor apply(Tensor logits, Tensor target, Tensor weight, double labelSmoothing, Reduction reduction) {
        Targets.check("cross_entropy", logits, target, weight);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        boolean rec = Autograd.isRecording(logits);
        LossResult r = logits.backend().loss().crossEntropy(logits, target, weight, labelSmoothing, reduction, rec);
        if (rec) {
            CrossEntropy op = new CrossEntropy();
            op.reduction = reduction;
            op.save(r.gradInput());
            Autograd.record(op, r.loss(), logits);
        }
        return r.loss();
    }

    /** Host class indices: see {@link Targets#of}. */
    public static Tensor apply(Tensor logits, int[] target, Tensor weight, double labelSmoothing, Reduction reduction) {
        return apply(logits, Targets.of(target, logits), weight, labelSmoothing, reduction);
    }

    /** Plain mean cross-entropy. */
    public static Tensor apply(Tensor logits, Tensor target) {
        return apply(logits, target, null, 0.0, Reduction.MEAN);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {scaleUnitGrad(saved(0), g, reduction)};
    }

    /** The unit-upstream gradient (N, C) times the real upstream: a scalar, or one value per row for NONE. */
    static Tensor scaleUnitGrad(Tensor unitGrad, Tensor g, Reduction reduction) {
        Tensor gg = reduction == Reduction.NONE ? g.reshape(g.shape(0), 1) : g.reshape(1, 1);
        return unitGrad.backend().elementwise().binary(BinaryFn.MUL, unitGrad, gg);
    }
}
