package org.gradlab.engine.ops;

import java.util.Arrays;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.PoolKernels;

/**
 * Squeeze-excitation (torchvision's {@code SqueezeExcitation} with SiLU, as EfficientNet uses it)
 * as ONE op: x (N, C, H, W); fc1 weight w1 (S, C, 1, 1) and bias b1 (S); fc2 weight w2
 * (C, S, 1, 1) and bias b2 (C):
 * <pre>
 * p = mean_{h,w} x            (N, C)      the squeeze
 * z = p · w1ᵀ + b1            (N, S)      fc1, a 1x1 conv on a 1x1 plane
 * u = silu(z) · w2ᵀ + b2      (N, C)      fc2
 * out = x · gate, gate = sigmoid(u), one gate per (n, c) plane
 * </pre>
 * Backward, with q = Σ_{h,w} g·x per plane: du = q · gate · (1 − gate); dw2 = duᵀ · silu(z),
 * db2 = Σ_n du; dz = (du · w2) · silu'(z); dw1 = dzᵀ · p, db1 = Σ_n dz; dp = dz · w1; and
 * dx = g · gate + dp / (H·W): x reaches the loss through the gate AND through its own mean.
 *
 * <p>Why one op: as pool, two convs, SiLU and gate, the two paths of x meet in autograd's
 * pending sum: the pool's backward fills an (N, C, H, W) gradient only for it to be added to
 * the gate's dx (three more passes over a tensor as large as x), and fc1/fc2 run as per-sample
 * convolutions of one position each. Here the backward reads g and x once for q and g once more
 * for dx (CPU float32: {@link PoolKernels#channelGateInputGradient} in one pass), and the small
 * (N, C) chain in between is batch GEMMs. Saved: x (the previous layer's output, alive anyway),
 * the weights, and p, z, silu(z) and the gate, each (N, C) or (N, S).
 */
@Derivative("du = sum_hw(g*x) * gate*(1-gate); dw2 = du^T silu(z), db2 = sum_n du; dz = (du w2) * silu'(z); "
        + "dw1 = dz^T p, db1 = sum_n dz; dx = g*gate + (dz w1)/(H*W)")
public final class SqueezeExcitation extends Op {
    private int squeeze;

    public static Tensor apply(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        return apply(x, null, w1, b1, w2, b2);
    }

    /**
     * {@link #apply(Tensor, Tensor, Tensor, Tensor, Tensor)} with p given: {@code planeMeans}
     * (N, C, 1, 1) must be the mean of each plane of x, as {@link BatchNormSilu#applyPooled} returns
     * it beside x (null: the op pools x itself). NOTE: only its values are read; the gradient of
     * the pool reaches x through this op's dx whatever computed them.
     */
    public static Tensor apply(Tensor x, Tensor planeMeans, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        Checks.sameDeviceAndDtype("squeeze_excitation", x, w1, b1, w2, b2);
        Checks.rank("squeeze_excitation", "input", x, 4);
        int n = x.shape(0);
        int c = x.shape(1);
        if (w1 == null || w1.dim() != 4 || w1.shape(1) != c || w1.shape(2) != 1 || w1.shape(3) != 1) {
            throw new IllegalArgumentException("squeeze_excitation: expected fc1 weight of shape (S, " + c
                    + ", 1, 1) for input " + Shape.str(x.shape()) + ", got " + (w1 == null ? "none" : Shape.str(w1.shape())));
        }
        int s = w1.shape(0);
        checkShape("fc1 bias", b1, s);
        checkShape("fc2 weight", w2, c, s, 1, 1);
        checkShape("fc2 bias", b2, c);
        PoolKernels pool = x.backend().pool();
        Tensor pooled;
        if (planeMeans == null) {
            pooled = pool.adaptiveAvgPool2dForward(x, 1, 1).reshape(n, c);
        } else {
            Checks.sameDeviceAndDtype("squeeze_excitation", x, planeMeans);
            checkShape("plane means", planeMeans, n, c, 1, 1);
            pooled = planeMeans.detach().reshape(n, c);
        }
        Tensor squeezed;
        Tensor activated;
        Tensor gate;
        try (GradMode ng = GradMode.noGrad()) {
            squeezed = Linear.apply(pooled, w1.reshape(s, c), b1);
            activated = Silu.apply(squeezed);
            Tensor logits = Linear.apply(activated, w2.reshape(c, s), b2);
            gate = logits.sigmoid().reshape(n, c, 1, 1);
            logits.release();
        }
        Tensor out = pool.channelGateForward(x, gate);
        if (Autograd.isRecording(x, w1, b1, w2, b2)) {
            SqueezeExcitation op = new SqueezeExcitation();
            op.squeeze = s;
            op.save(x);
            op.save(w1);
            op.save(w2);
            if (planeMeans == null) { // these are read by nothing else: freed right after the backward
                op.saveOwned(pooled);
            } else {
                op.save(pooled); // the caller's: freed with the step
            }
            op.saveOwned(squeezed);
            op.saveOwned(activated);
            op.saveOwned(gate);
            Autograd.record(op, out, x, w1, b1, w2, b2);
        } else {
            for (Tensor t : new Tensor[] {planeMeans == null ? pooled : null, squeezed, activated, gate}) {
                if (t != null) {
                    t.release();
                }
            }
        }
        return out;
    }

    private static void checkShape(String what, Tensor t, int... expected) {
        if (t == null || !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException("squeeze_excitation: expected " + what + " of shape " + Shape.str(expected)
                    + ", got " + (t == null ? "none" : Shape.str(t.shape())));
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        int n = x.shape(0);
        int c = x.shape(1);
        int s = squeeze;
        Tensor pooled = saved(3);
        Tensor squeezed = saved(4);
        Tensor activated = saved(5);
        Tensor gate = saved(6);
        PoolKernels pool = x.backend().pool();
        Tensor du = pool.channelGateBackward(g, x, gate, false, true).gradLogits().reshape(n, c);
        Tensor gw2 = needsGrad(3) ? du.transpose(0, 1).matmul(activated).reshape(c, s, 1, 1) : null;
        Tensor gb2 = needsGrad(4) ? du.sum(new int[] {0}, false) : null;
        Tensor gx = null;
        Tensor gw1 = null;
        Tensor gb1 = null;
        if (needsGrad(0) || needsGrad(1) || needsGrad(2)) {
            Tensor hidden = du.matmul(saved(2).reshape(c, s));
            Tensor dz = du.backend().elementwise().binary(BinaryFn.SILU_BACKWARD, hidden, squeezed);
            hidden.release();
            gw1 = needsGrad(1) ? dz.transpose(0, 1).matmul(pooled).reshape(s, c, 1, 1) : null;
            gb1 = needsGrad(2) ? dz.sum(new int[] {0}, false) : null;
            if (needsGrad(0)) {
                // dp / (H·W) as the GEMM's alpha: no scaling pass, no second (N, C) buffer
                Tensor spread = Tensor.uninitialized(x.dtype(), x.device(), n, c, 1, 1);
                x.backend().matmul().matmulInto(spread.reshape(n, c), dz, saved(1).reshape(s, c),
                        1.0 / (x.shape(2) * x.shape(3)));
                gx = ownsGradOut() ? pool.channelGateInputGradientIntoG(g, gate, spread) // g's last read: dx may go over it
                        : pool.channelGateInputGradient(g, gate, spread);
                spread.release();
            }
            dz.release();
        }
        du.release();
        return new Tensor[] {gx, gw1, gb1, gw2, gb2};
    }
}
