package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = x · sigmoid(x) = x / (1 + e^-x) (SiLU, "swish"; PyTorch's {@code F.silu}). One kernel
 * and one saved tensor, where {@code x.mul(x.sigmoid())} runs two kernels and keeps both
 * {@code x} and {@code sigmoid(x)} for backward.
 *
 * <p>d silu(x)/dx = s · (1 + x · (1 - s)) with s = sigmoid(x)
 */
@Derivative("d silu(x)/dx = s * (1 + x * (1 - s)), s = sigmoid(x)")
public final class Silu extends Op {

    public static Tensor apply(Tensor x) {
        Tensor out = x.backend().elementwise().unary(UnaryFn.SILU, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Silu op = new Silu();
            op.save(x);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        ElementwiseKernels ew = g.backend().elementwise(); // g * silu'(x), one kernel; into g where it is ours
        return new Tensor[] {ownsGradOut() ? ew.binaryIntoFirst(BinaryFn.SILU_BACKWARD, g, x)
                : ew.binary(BinaryFn.SILU_BACKWARD, g, x)};
    }
}
