package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.NormKernels.BatchNormGrads;
import org.gradlab.engine.backend.NormKernels.BatchNormResult;

/**
 * out = relu(y), y = {@link BatchNorm2d}(x) = x̂ · weight[c] + bias[c]: batch norm followed by
 * ReLU, the pair of the challenge CNNs' blocks and ResNet's stem and blocks, as ONE op. Same
 * arguments, statistics and running-buffer updates as {@link BatchNorm2d}; the same output bits
 * as BatchNorm2d then {@link Relu}.
 *
 * <p>Backward: dL/dy = g if out > 0 else 0; then {@link BatchNorm2d}'s backward of dL/dy:
 * dx = w·invstd·(dL/dy − mean(dL/dy) − x̂·mean(dL/dy·x̂)), dw = Σ dL/dy·x̂, db = Σ dL/dy.
 *
 * <p>Why one op: the pair passes y and dL/dy through memory between two kernels; here the float32
 * CPU kernel applies ReLU to each block of channels while it is staged in cache (see CpuNorm) and
 * masks the staged gradient before the batch-norm sums. NOTE: the mask is taken from the saved
 * output, not from y recomputed from x: out > 0 exactly where y > 0 (the gradient at y = 0 is 0,
 * as {@link Relu}'s), and the output is the very y the forward computed, whereas y recomputed
 * from the statistics saved as floats could differ in its last bit, and so in sign near 0. The
 * output is kept alive by the next layer anyway (a conv saves its input), and the pair saved two
 * tensors too (x and y).
 */
@Derivative("dy = g if out > 0 else 0, out = relu(xhat*w + b); then batch_norm2d's backward of dy")
public final class BatchNormRelu extends Op {
    private boolean training;

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                               boolean training, double momentum, double eps) {
        BatchNorm2d.check(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        BatchNormResult r = x.backend().norm().batchNormReluForward(x, weight, bias, runningMean, runningVar, training,
                momentum, eps);
        if (Autograd.isRecording(x, weight, bias)) {
            BatchNormRelu op = new BatchNormRelu();
            op.training = training;
            op.save(x);
            op.save(weight);
            op.save(r.out());
            op.save(r.saveMean());
            op.save(r.saveInvstd());
            Autograd.record(op, r.out(), x, weight, bias);
        }
        return r.out();
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        BatchNormGrads gr = x.backend().norm().batchNormReluBackward(g, saved(2), x, saved(1), saved(3), saved(4), training,
                needsGrad(0), needsGrad(1), needsGrad(2));
        return new Tensor[] {gr.gradX(), gr.gradWeight(), gr.gradBias()};
    }
}
