package org.gradlab.engine.ops;

import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.LossKernels.LossResult;

/**
 * Negative log-likelihood of log-probabilities logp (N, C) with class-index targets y (N)
 * and optional class weights w (C) (null: all 1):
 * <pre>
 *   l_i = −w[y_i] · logp[i, y_i]
 *   NONE: (l_i) shape (N);  SUM: Σ_i l_i;  MEAN: Σ_i l_i / Σ_i w[y_i]   (shape ())
 * </pre>
 * NOTE: MEAN is the WEIGHTED mean (divides by the weights of the targets, not by N), as in
 * PyTorch. Targets are exact integers in [0, C); anything else fails naming the bad index.
 *
 * <p>d/dlogp[i,c] = −s·w[y_i]·[c = y_i]·g_i, with s = 1/Σw[y] (MEAN) or 1.
 */
@Derivative("d nll/d logp[i,c] = -s * w[y_i] * [c == y_i] * g_i, s = 1/sum_i w[y_i] for mean, else 1")
public final class NllLoss extends Op {
    private Reduction reduction;

    public static Tensor apply(Tensor logp, Tensor target, Tensor weight, Reduction reduction) {
        Targets.check("nll_loss", logp, target, weight);
        boolean rec = Autograd.isRecording(logp);
        LossResult r = logp.backend().loss().nllLoss(logp, target, weight, reduction, rec);
        if (rec) {
            NllLoss op = new NllLoss();
            op.reduction = reduction;
            op.save(r.gradInput());
            Autograd.record(op, r.loss(), logp);
        }
        return r.loss();
    }

    /** Host class indices: see {@link Targets#of}. */
    public static Tensor apply(Tensor logp, int[] target, Tensor weight, Reduction reduction) {
        return apply(logp, Targets.of(target, logp), weight, reduction);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {CrossEntropy.scaleUnitGrad(saved(0), g, reduction)};
    }
}
