package org.gradlab.engine.ops;

import java.util.Arrays;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.RowKernels;

/**
 * Layer normalisation over the last dims of x (PyTorch's {@code F.layer_norm(x, normalizedShape,
 * weight, bias, eps)}). Each row r holds the D = prod(normalizedShape) trailing elements:
 * <pre>
 *   mean_r = Σ_k x_rk / D,   var_r = Σ_k (x_rk − mean_r)² / D   (biased),   s_r = 1/sqrt(var_r + eps)
 *   xhat_rk = (x_rk − mean_r)·s_r,   y_rk = xhat_rk·w_k + b_k
 * </pre>
 * Backward, with gh = g·w (the gradient reaching xhat):
 * <pre>
 *   dx_rk = s_r·(gh_rk − mean_k(gh_r) − xhat_rk·mean_k(gh_r·xhat_r))
 *   dw_k = Σ_r g_rk·xhat_rk,   db_k = Σ_r g_rk
 * </pre>
 * (mean and var depend on every x_rk of the row: the two subtracted means are those paths.)
 * NOTE: unlike batch norm there are no running statistics, so train and eval are the same.
 */
@Derivative("dx = s*(g*w - mean(g*w) - xhat*mean(g*w*xhat)), dw = sum_rows(g*xhat), db = sum_rows(g)")
public final class LayerNorm extends Op {
    private final int d;
    private final int[] normalizedShape;
    private final boolean hasWeight;

    private LayerNorm(int d, int[] normalizedShape, boolean hasWeight) {
        this.d = d;
        this.normalizedShape = normalizedShape;
        this.hasWeight = hasWeight;
    }

    /** {@code weight}/{@code bias} have shape {@code normalizedShape} or are null (1, 0). */
    public static Tensor apply(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        Checks.sameDeviceAndDtype("layer_norm", x, weight, bias);
        int k = normalizedShape.length;
        int[] tail = x.dim() >= k ? Arrays.copyOfRange(x.shape(), x.dim() - k, x.dim()) : null;
        if (k == 0 || !Arrays.equals(tail, normalizedShape)) {
            throw new IllegalArgumentException("layer_norm: input's last dims must equal normalized_shape "
                    + Shape.str(normalizedShape) + ", got input " + Shape.str(x.shape()));
        }
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p != null && !Arrays.equals(p.shape(), normalizedShape)) {
                throw new IllegalArgumentException("layer_norm: weight and bias must have shape " + Shape.str(normalizedShape)
                        + ", got " + Shape.str(p.shape()));
            }
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("layer_norm: eps must be > 0, got " + eps);
        }
        int d = Math.toIntExact(Shape.numel(normalizedShape));
        var r = x.backend().rows().layerNormForward(x, d, weight, bias, eps);
        if (Autograd.isRecording(x, weight, bias)) {
            LayerNorm op = new LayerNorm(d, normalizedShape.clone(), weight != null);
            op.save(x);
            op.save(r.mean());
            op.save(r.invstd());
            if (weight != null) {
                op.save(weight);
            }
            Autograd.record(op, r.out(), x, weight, bias);
        }
        return r.out();
    }

    /** Over the last dim only: {@code normalizedShape = [x.shape(-1)]}. */
    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, double eps) {
        return apply(x, new int[] {x.shape(-1)}, weight, bias, eps);
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        RowKernels rows = x.backend().rows();
        Tensor w = hasWeight ? saved(3) : null;
        var r = ownsGradOut() // grad_x over g where it is ours
                ? rows.layerNormBackwardIntoGradOut(g, x, d, w, saved(1), saved(2), needsGrad(0), needsGrad(1), needsGrad(2))
                : rows.layerNormBackward(g, x, d, w, saved(1), saved(2), needsGrad(0), needsGrad(1), needsGrad(2));
        return new Tensor[] {r.gradX(), reshaped(r.gradWeight()), reshaped(r.gradBias())};
    }

    private Tensor reshaped(Tensor grad) {
        return grad == null ? null : grad.reshape(normalizedShape);
    }
}
