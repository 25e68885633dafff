package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.NormKernels;
import org.gradlab.engine.backend.NormKernels.BatchNormGrads;
import org.gradlab.engine.backend.NormKernels.BatchNormResult;

/**
 * What {@link BatchNormSilu} and {@link BatchNormRelu} share: batch norm followed by an
 * element-wise activation as ONE op, with {@link BatchNorm2d}'s arguments, checks, statistics and
 * running-buffer updates, run by the backend's fused kernels. Saved for the backward: x, weight,
 * what the activation's backward needs beside them ({@link #activationInput}), the saved mean and
 * inverse std, and, where {@link #keepsOutput}, the output.
 */
abstract class BatchNormActivation extends Op {
    private boolean training;
    private boolean outputKept;

    /** Whether the backward also reads the forward's output (saved after the statistics). */
    boolean keepsOutput() {
        return false;
    }

    /** The forward's output where {@link #keepsOutput}, else null. */
    final Tensor keptOutput() {
        return outputKept ? saved(5) : null;
    }

    /** The backend's fused forward. */
    abstract BatchNormResult forward(NormKernels norm, Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                     Tensor runningVar, boolean training, double momentum, double eps);

    /** What the activation's backward needs beside x and the statistics, of the bias and the forward's output. */
    abstract Tensor activationInput(Tensor bias, Tensor out);

    /** The backend's fused backward, given {@link #activationInput} as {@code kept}. */
    abstract BatchNormGrads backward(NormKernels norm, Tensor g, Tensor x, Tensor weight, Tensor kept, Tensor saveMean,
                                     Tensor saveInvstd, boolean training, boolean needX, boolean needWeight,
                                     boolean needBias);

    /** Checks the arguments, runs {@code op}'s forward and records {@code op} (a fresh instance) when autograd records. */
    static Tensor run(BatchNormActivation op, Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                      boolean training, double momentum, double eps) {
        BatchNorm2d.check(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        BatchNormResult r = op.forward(x.backend().norm(), x, weight, bias, runningMean, runningVar, training, momentum, eps);
        if (Autograd.isRecording(x, weight, bias)) {
            op.training = training;
            op.save(x);
            op.save(weight);
            op.save(op.activationInput(bias, r.out()));
            op.save(r.saveMean());
            op.save(r.saveInvstd());
            if (op.keepsOutput()) {
                op.save(r.out());
                op.outputKept = true;
            }
            Autograd.record(op, r.out(), x, weight, bias);
        }
        return r.out();
    }

    @Override
    protected final Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        NormKernels norm = ownsGradOut() ? x.backend().norm().intoGradOut() : x.backend().norm(); // grad_x into g where it is ours
        BatchNormGrads gr = backward(norm, g, x, saved(1), saved(2), saved(3), saved(4), training,
                needsGrad(0), needsGrad(1), needsGrad(2));
        return new Tensor[] {gr.gradX(), gr.gradWeight(), gr.gradBias()};
    }
}
