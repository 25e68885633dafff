package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.NormKernels.BatchNormGrads;
import org.gradlab.engine.backend.NormKernels.BatchNormResult;

/**
 * Batch normalisation of x (N, C, H, W) per channel c, statistics over (N, H, W), n = N·H·W:
 * <pre>
 *   training: mean_c = Σ x / n,  var_c = Σ (x - mean_c)² / n   (biased)
 *   eval:     mean_c = running_mean[c], var_c = running_var[c]
 *   x̂ = (x - mean_c) · invstd_c,  invstd_c = 1 / sqrt(var_c + eps)
 *   out = x̂ · weight[c] + bias[c]      (weight/bias null: 1 and 0, i.e. affine=False)
 * </pre>
 * NOTE: in training the running buffers (when non-null) are updated IN PLACE:
 * {@code running_mean = (1-m)·running_mean + m·mean}, {@code running_var = (1-m)·running_var
 * + m·var·n/(n-1)} — the UNBIASED variance, while normalisation uses the biased one
 * (PyTorch semantics). They must be persistent tensors; they get no gradient. Training needs
 * n > 1. Eval requires running stats and leaves them unchanged.
 *
 * <p>Backward (training): grad_x = w·invstd·(g − mean(g) − x̂·mean(g·x̂)),
 * grad_w = Σ g·x̂, grad_b = Σ g (sums and means over N, H, W). Eval: grad_x = g·w·invstd.
 */
@Derivative("train: dx = w*invstd*(g - mean(g) - xhat*mean(g*xhat)); eval: dx = g*w*invstd; dw = sum(g*xhat); db = sum(g)")
public final class BatchNorm2d extends Op {
    private boolean training;

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                               boolean training, double momentum, double eps) {
        check(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        BatchNormResult r = x.backend().norm().batchNormForward(x, weight, bias, runningMean, runningVar, training,
                momentum, eps);
        if (Autograd.isRecording(x, weight, bias)) {
            BatchNorm2d op = new BatchNorm2d();
            op.training = training;
            op.save(x);
            op.save(weight);
            op.save(r.saveMean());
            op.save(r.saveInvstd());
            Autograd.record(op, r.out(), x, weight, bias);
        }
        return r.out();
    }

    /** The argument checks of {@link #apply} (also {@link BatchNormSilu}'s): clear one-line errors. */
    static void check(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, boolean training,
                      double momentum, double eps) {
        Checks.sameDeviceAndDtype("batch_norm2d", x, weight, bias, runningMean, runningVar);
        Checks.rank("batch_norm2d", "input", x, 4);
        int c = x.shape(1);
        channelVector("weight", weight, c, x);
        channelVector("bias", bias, c, x);
        channelVector("running_mean", runningMean, c, x);
        channelVector("running_var", runningVar, c, x);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batch_norm2d: eval mode needs running_mean and running_var");
        }
        if (training && (long) x.shape(0) * x.shape(2) * x.shape(3) <= 1) {
            throw new IllegalArgumentException("batch_norm2d: expected more than 1 value per channel when training, got input "
                    + Shape.str(x.shape()));
        }
        if (eps <= 0 || momentum < 0 || momentum > 1) {
            throw new IllegalArgumentException("batch_norm2d: need eps > 0 and momentum in [0, 1], got eps " + eps
                    + ", momentum " + momentum);
        }
    }

    private static void channelVector(String what, Tensor t, int c, Tensor x) {
        if (t != null && (t.dim() != 1 || t.shape(0) != c)) {
            throw new IllegalArgumentException("batch_norm2d: " + what + " must have shape [" + c + "] for input "
                    + Shape.str(x.shape()) + ", got " + Shape.str(t.shape()));
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        NormKernels norm = ownsGradOut() ? x.backend().norm().intoGradOut() : x.backend().norm(); // grad_x into g where it is ours
        BatchNormGrads gr = norm.batchNormBackward(g, x, saved(1), saved(2), saved(3), training, needsGrad(0), needsGrad(1),
                needsGrad(2));
        return new Tensor[] {gr.gradX(), gr.gradWeight(), gr.gradBias()};
    }
}
