package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = max(x, 0). NOTE: the gradient at exactly 0 is 0, as in PyTorch.
 *
 * <p>d relu(x)/dx = 1 if x > 0 else 0
 */
@Derivative("d relu(x)/dx = 1 if x > 0 else 0")
public final class Relu extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.RELU, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Relu op = new Relu();
            op.save(x);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        ElementwiseKernels ew = g.backend().elementwise(); // into g where it is ours
        return new Tensor[] {ownsGradOut() ? ew.binaryIntoFirst(BinaryFn.RELU_BACKWARD, g, saved(0))
                : ew.binary(BinaryFn.RELU_BACKWARD, g, saved(0))};
    }
}
