package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/**
 * 2-D convolution kernels (cross-correlation, zero padding, dilation 1), NCHW layout.
 * See {@code ops.Conv2d} for the math. Inputs may be any strided views; results are fresh
 * contiguous tensors. Shapes are validated by the op, not here.
 */
public interface ConvKernels {
    /** Stride and padding per axis (h, w) and the group count. */
    record Conv2dParams(int strideH, int strideW, int padH, int padW, int groups) {
        public Conv2dParams {
            if (strideH < 1 || strideW < 1 || padH < 0 || padW < 0 || groups < 1) {
                throw new IllegalArgumentException("conv2d: stride must be >= 1, padding >= 0 and groups >= 1, got stride ("
                        + strideH + "," + strideW + "), padding (" + padH + "," + padW + "), groups " + groups);
            }
        }

        public Conv2dParams(int stride, int padding, int groups) {
            this(stride, stride, padding, padding, groups);
        }

        /** floor((h + 2p - k) / s) + 1. */
        public int outH(int h, int kh) {
            return Math.floorDiv(h + 2 * padH - kh, strideH) + 1;
        }

        public int outW(int w, int kw) {
            return Math.floorDiv(w + 2 * padW - kw, strideW) + 1;
        }
    }

    /** out (N, Cout, Ho, Wo) = conv(x (N, Cin, H, W), w (Cout, Cin/groups, kh, kw)) + bias (Cout) or null. */
    Tensor conv2dForward(Tensor x, Tensor w, Tensor bias, Conv2dParams p);

    /**
     * A forward output and the im2col matrix of x that the backend kept for the filter gradient
     * (null when it keeps none).
     */
    record ConvForward(Tensor out, Tensor columns) {}

    /**
     * As {@link #conv2dForward}, also returning what {@link #conv2dBackwardWeight(Tensor, Tensor, Tensor, int[],
     * Conv2dParams)} can reuse instead of recomputing (the op saves it for backward). By default
     * nothing is kept.
     */
    default ConvForward conv2dForwardKeeping(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        return new ConvForward(conv2dForward(x, w, bias, p), null);
    }

    /** dL/dx (shape {@code xShape}) from g = dL/dout: the transposed convolution of g with w. */
    Tensor conv2dBackwardInput(Tensor g, Tensor w, int[] xShape, Conv2dParams p);

    /** dL/dw (shape {@code wShape}) = sum over the batch of g correlated with x. */
    Tensor conv2dBackwardWeight(Tensor g, Tensor x, int[] wShape, Conv2dParams p);

    /** As above, reusing {@code columns} from {@link #conv2dForwardKeeping} for the same x (null: recompute). */
    default Tensor conv2dBackwardWeight(Tensor g, Tensor x, Tensor columns, int[] wShape, Conv2dParams p) {
        return conv2dBackwardWeight(g, x, wShape, p);
    }

    /** The input and weight gradients of one conv, from {@link #conv2dBackwardInputAndWeight}. */
    record ConvGradients(Tensor input, Tensor weight) {}

    /**
     * dL/dx and dL/dw together, for an op that needs both: a backend may share work between them
     * (the CPU's Winograd path transforms g once for both). By default the two calls above.
     */
    default ConvGradients conv2dBackwardInputAndWeight(Tensor g, Tensor x, Tensor w, Tensor columns, Conv2dParams p) {
        return new ConvGradients(conv2dBackwardInput(g, w, x.shape(), p), conv2dBackwardWeight(g, x, columns, w.shape(), p));
    }

    /** dL/dbias (Cout) = sum of g over (N, Ho, Wo). */
    Tensor conv2dBackwardBias(Tensor g);
}
