package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;

/**
 * Max pooling, like {@code F.max_pool2d(x, k, s, p)} (ceil_mode off):
 * out[n,c,i,j] = max_{a<k, e<k} x[n,c,i*s-p+a, j*s-p+e] with padding = -inf,
 * Ho = floor((H + 2p - k)/s) + 1.
 *
 * <p>dx[n,c,y,z] = sum over windows (i,j) whose argmax is (y,z) of g[n,c,i,j].
 * NOTE: ties go to the FIRST maximum in row-major window order; overlapping windows (k > s)
 * accumulate into the same input element; padding is never selected (p <= k/2 is required).
 */
@Derivative("dx[argmax(window)] += g (first maximum in row-major order; overlapping windows accumulate)")
public final class MaxPool2d extends Op {
    private final Pool2dParams params;

    private MaxPool2d(Pool2dParams params) {
        this.params = params;
    }

    public static Tensor apply(Tensor x, int k, int stride, int padding) {
        return apply(x, new Pool2dParams(k, stride, padding));
    }

    public static Tensor apply(Tensor x, Pool2dParams p) {
        PoolChecks.window("max_pool2d", x, p);
        Tensor out = x.backend().pool().maxPool2dForward(x, p);
        if (Autograd.isRecording(x)) {
            MaxPool2d op = new MaxPool2d(p);
            op.save(x);
            op.save(out);
            Autograd.record(op, out, x);
        }
        return out;
    }

    /**
     * The index {@code h*W + w} into each (n, c) input plane of the element each window selects,
     * as float64 numbers (like {@code return_indices=True}); not differentiable.
     */
    public static Tensor indices(Tensor x, int k, int stride, int padding) {
        Pool2dParams p = new Pool2dParams(k, stride, padding);
        PoolChecks.window("max_pool2d", x, p);
        return x.backend().pool().maxPool2dIndices(x, p);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.backend().pool().maxPool2dBackward(g, saved(0), saved(1), params)};
    }
}
