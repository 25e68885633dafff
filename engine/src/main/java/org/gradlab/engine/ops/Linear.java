package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * out = x @ W^T + b with x (N, in), W (out, in), b (out) or none — one GEMM.
 * x of any other rank (..., in) acts on its last dim, like {@code F.linear}: it is read as rows
 * (N = the product of the leading dims; a view when x is contiguous) and the result has shape
 * (..., out); the reshapes are ops of their own, so autograd routes the gradient through them.
 *
 * <p>dx = g @ W, dW = g^T @ x, db = sum over rows of g.
 */
@Derivative("d(xW^T+b)/dx = g @ W, d/dW = g^T @ x, d/db = sum_rows(g)")
public final class Linear extends Op {
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        Checks.sameDeviceAndDtype("linear", x, weight, bias);
        if (x.dim() != 2 && x.dim() > 0) {
            int[] outShape = x.shape();
            outShape[outShape.length - 1] = weight.dim() == 2 ? weight.shape(0) : -1;
            return apply(x.reshape(-1, x.shape(-1)), weight, bias).reshape(outShape);
        }
        Checks.rank("linear", "input", x, 2);
        Checks.rank("linear", "weight", weight, 2);
        if (x.shape(1) != weight.shape(1)) {
            throw new IllegalArgumentException("linear: input has " + x.shape(1) + " features but weight expects "
                    + weight.shape(1) + " (input " + Shape.str(x.shape()) + ", weight " + Shape.str(weight.shape()) + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.shape(0) != weight.shape(0))) {
            throw new IllegalArgumentException("linear: bias must have shape [" + weight.shape(0) + "], got "
                    + Shape.str(bias.shape()));
        }
        Tensor out = x.backend().matmul().linear(x, weight, bias);
        if (Autograd.isRecording(x, weight, bias)) {
            Linear op = new Linear();
            op.save(x);
            op.save(weight);
            Autograd.record(op, out, x, weight, bias);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        Tensor w = saved(1);
        Tensor gx = needsGrad(0) ? g.matmul(w) : null;
        Tensor gw = needsGrad(1) ? g.backend().matmul().linearWeightGrad(g, x) : null;
        Tensor gb = needsGrad(2) ? g.backend().reduce().sum(g, new int[] {0}, false) : null;
        return new Tensor[] {gx, gw, gb};
    }
}
