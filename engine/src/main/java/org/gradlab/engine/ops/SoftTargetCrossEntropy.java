package org.gradlab.engine.ops;

import java.util.Arrays;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.Backend;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.UnaryFn;

/**
 * Cross-entropy of logits (N, C) with class-probability targets t (N, C) (PyTorch's
 * {@code F.cross_entropy(logits, target_probs, label_smoothing=ε)}; Mixup/CutMix targets):
 * <pre>
 *   t' = (1−ε)·t + ε/C,   logp = log_softmax(logits)
 *   l_i = −Σ_c t'[i,c]·logp[i,c]
 *   NONE: (l_i) shape (N);  SUM: Σ_i l_i;  MEAN: Σ_i l_i / N   (shape ())
 * </pre>
 * d l_i / d logits[i,c] = softmax[i,c]·Σ_k t'[i,k] − t'[i,c] (= softmax − t' when the targets sum
 * to 1); times g_i, and 1/N for MEAN. The gradient for a unit upstream is computed with the loss
 * and kept (N×C), so backward is one multiply.
 * NOTE: the targets are constants here: a target that requires grad is rejected, not silently
 * given no gradient.
 */
@Derivative("d ce/d logits[i,c] = s * g_i * (softmax[i,c] * sum_k t'[i,k] - t'[i,c])")
public final class SoftTargetCrossEntropy extends Op {
    private final Reduction reduction;

    private SoftTargetCrossEntropy(Reduction reduction) {
        this.reduction = reduction;
    }

    public static Tensor apply(Tensor logits, Tensor targetProbs, double labelSmoothing, Reduction reduction) {
        Checks.sameDeviceAndDtype("cross_entropy (probability targets)", logits, targetProbs);
        Checks.rank("cross_entropy (probability targets)", "logits", logits, 2);
        if (!Arrays.equals(logits.shape(), targetProbs.shape())) {
            throw new IllegalArgumentException("cross_entropy (probability targets): target must have the logits' shape "
                    + Shape.str(logits.shape()) + ", got " + Shape.str(targetProbs.shape()));
        }
        if (targetProbs.requiresGrad()) {
            throw new IllegalArgumentException("cross_entropy (probability targets): targets that require grad are not "
                    + "supported; pass target.detach()");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        Backend be = logits.backend();
        int n = logits.shape(0);
        int c = logits.shape(1);
        Tensor t = labelSmoothing == 0 ? targetProbs
                : be.elementwise().unary(UnaryFn.AFFINE, targetProbs, 1 - labelSmoothing, labelSmoothing / c);
        Tensor logp = be.loss().logSoftmax(logits);
        Tensor perSample = be.elementwise().unary(UnaryFn.NEG,
                be.reduce().sum(be.elementwise().binary(BinaryFn.MUL, t, logp), new int[] {1}, false), 0, 0);
        Tensor loss = switch (reduction) {
            case NONE -> perSample;
            case SUM -> be.reduce().sum(perSample, new int[] {0}, false);
            case MEAN -> be.elementwise().unary(UnaryFn.AFFINE, be.reduce().sum(perSample, new int[] {0}, false), 1.0 / n, 0);
        };
        if (Autograd.isRecording(logits)) {
            Tensor p = be.elementwise().unary(UnaryFn.EXP, logp, 0, 0);
            Tensor rowSum = be.reduce().sum(t, new int[] {1}, true);
            Tensor unit = be.elementwise().binary(BinaryFn.SUB, be.elementwise().binary(BinaryFn.MUL, p, rowSum), t);
            if (reduction == Reduction.MEAN) {
                be.elementwise().scale(unit, 1.0 / n);
            }
            SoftTargetCrossEntropy op = new SoftTargetCrossEntropy(reduction);
            op.save(unit);
            Autograd.record(op, loss, logits);
        }
        return loss;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {CrossEntropy.scaleUnitGrad(saved(0), g, reduction)};
    }
}
