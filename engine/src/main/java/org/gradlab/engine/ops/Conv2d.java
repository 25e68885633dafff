package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.backend.ConvKernels.ConvGradients;
import org.gradlab.engine.backend.ConvKernels.ConvForward;

/**
 * 2-D convolution (cross-correlation, zero padding, dilation 1) in NCHW, like {@code F.conv2d}:
 * with x (N, Cin, H, W), w (Cout, Cin/G, kh, kw), group g(o) = o / (Cout/G),
 * <pre>
 * out[n,o,i,j] = b[o] + sum_{c<Cin/G, a<kh, e<kw} w[o,c,a,e] * x[n, g(o)*Cin/G + c, i*sh - ph + a, j*sw - pw + e]
 * </pre>
 * (x = 0 outside the input), Ho = floor((H + 2ph - kh)/sh) + 1, likewise Wo.
 *
 * <p>dx[n,c',y,z] = sum over (o,i,j,a,e) hitting (y,z) of g[n,o,i,j] w[o,c,a,e] (transposed conv);
 * dw[o,c,a,e] = sum_{n,i,j} g[n,o,i,j] x[n, ..., i*sh-ph+a, j*sw-pw+e]; db[o] = sum_{n,i,j} g[n,o,i,j].
 * NOTE: no kernel flip (PyTorch semantics); groups = Cin = Cout is a depthwise conv.
 */
@Derivative("dx = conv_transpose(g, w), dw[o,c,a,e] = sum_{n,i,j} g[n,o,i,j] x[n,c,i*s-p+a,j*s-p+e], db = sum_{n,h,w} g")
public final class Conv2d extends Op {
    private final Conv2dParams params;
    private final int[] xShape;
    private final int[] wShape;
    private int columnsSlot = -1;

    private Conv2d(Conv2dParams params, int[] xShape, int[] wShape) {
        this.params = params;
        this.xShape = xShape;
        this.wShape = wShape;
    }

    public static Tensor apply(Tensor x, Tensor w, Tensor bias, int stride, int padding, int groups) {
        return apply(x, w, bias, new Conv2dParams(stride, padding, groups));
    }

    public static Tensor apply(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        check(x, w, bias, p);
        if (!Autograd.isRecording(x, w, bias)) {
            return x.backend().conv().conv2dForward(x, w, bias, p);
        }
        // the filter gradient correlates g with x: a backend may keep its im2col matrix of x for it
        ConvForward f = w.requiresGrad() ? x.backend().conv().conv2dForwardKeeping(x, w, bias, p)
                : new ConvForward(x.backend().conv().conv2dForward(x, w, bias, p), null);
        Conv2d op = new Conv2d(p, x.shape(), w.shape());
        op.save(x);
        op.save(w);
        // only this op's filter gradient reads the columns: freed right after its backward
        op.columnsSlot = f.columns() == null ? -1 : op.saveOwned(f.columns());
        Autograd.record(op, f.out(), x, w, bias);
        return f.out();
    }

    static void check(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        Checks.sameDeviceAndDtype("conv2d", x, w, bias);
        Checks.rank("conv2d", "input", x, 4);
        Checks.rank("conv2d", "weight", w, 4);
        String shapes = " (input " + Shape.str(x.shape()) + ", weight " + Shape.str(w.shape()) + ")";
        int g = p.groups();
        if (w.shape(0) % g != 0) {
            throw new IllegalArgumentException("conv2d: weight has " + w.shape(0) + " output channels, not divisible by groups="
                    + g + shapes);
        }
        if (x.shape(1) != w.shape(1) * g) {
            throw new IllegalArgumentException("conv2d: input has " + x.shape(1) + " channels but weight expects "
                    + w.shape(1) * g + (g > 1 ? " (" + w.shape(1) + " per group x " + g + " groups)" : "") + shapes);
        }
        if (bias != null && (bias.dim() != 1 || bias.shape(0) != w.shape(0))) {
            throw new IllegalArgumentException("conv2d: bias must have shape [" + w.shape(0) + "], got "
                    + Shape.str(bias.shape()));
        }
        int ph = x.shape(2) + 2 * p.padH();
        int pw = x.shape(3) + 2 * p.padW();
        if (ph < w.shape(2) || pw < w.shape(3)) {
            throw new IllegalArgumentException("conv2d: kernel " + w.shape(2) + "x" + w.shape(3)
                    + " is larger than the padded input " + ph + "x" + pw + shapes);
        }
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        Tensor w = saved(1);
        Tensor cols = columnsSlot < 0 ? null : saved(columnsSlot);
        Tensor gx;
        Tensor gw;
        if (needsGrad(0) && needsGrad(1)) { // one call, so that a backend can share work (the CPU's Winograd: one transform of g)
            ConvGradients both = g.backend().conv().conv2dBackwardInputAndWeight(g, x, w, cols, params);
            gx = both.input();
            gw = both.weight();
        } else {
            gx = needsGrad(0) ? g.backend().conv().conv2dBackwardInput(g, w, xShape, params) : null;
            gw = needsGrad(1) ? g.backend().conv().conv2dBackwardWeight(g, x, cols, wShape, params) : null;
        }
        Tensor gb = needsGrad(2) ? g.backend().conv().conv2dBackwardBias(g) : null;
        return new Tensor[] {gx, gw, gb};
    }
}
