package org.gradlab.engine.backend;

import org.gradlab.engine.Tensor;

/**
 * 2-D pooling kernels over NCHW tensors (ceil_mode off). See {@code ops.MaxPool2d},
 * {@code ops.AvgPool2d}, {@code ops.AdaptiveAvgPool2d} for the math. Inputs may be strided
 * views; results are fresh contiguous tensors. Shapes are validated by the ops.
 */
public interface PoolKernels {
    /** Window size, stride and padding per axis (h, w). */
    record Pool2dParams(int kH, int kW, int strideH, int strideW, int padH, int padW) {
        public Pool2dParams {
            if (kH < 1 || kW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
                throw new IllegalArgumentException("pool2d: kernel and stride must be >= 1 and padding >= 0, got kernel ("
                        + kH + "," + kW + "), stride (" + strideH + "," + strideW + "), padding (" + padH + "," + padW + ")");
            }
        }

        public Pool2dParams(int k, int stride, int padding) {
            this(k, k, stride, stride, padding, padding);
        }

        public int outH(int h) {
            return Math.floorDiv(h + 2 * padH - kH, strideH) + 1;
        }

        public int outW(int w) {
            return Math.floorDiv(w + 2 * padW - kW, strideW) + 1;
        }
    }

    /** Max over each window; padding counts as -inf. */
    Tensor maxPool2dForward(Tensor x, Pool2dParams p);

    /**
     * The flat index {@code h*W + w} into each (n, c) input plane of the element each window
     * selected (the FIRST maximum in row-major window order), as float64 numbers (exact below 2^53).
     */
    Tensor maxPool2dIndices(Tensor x, Pool2dParams p);

    /**
     * dL/dx: each g goes to its window's first maximum; overlapping windows accumulate.
     * {@code out} is the forward result (a backend may use it, e.g. cuDNN; the CPU recomputes).
     */
    Tensor maxPool2dBackward(Tensor g, Tensor x, Tensor out, Pool2dParams p);

    /** Mean over each window: divisor kH*kW ({@code countIncludePad}) or the number of non-pad elements. */
    Tensor avgPool2dForward(Tensor x, Pool2dParams p, boolean countIncludePad);

    Tensor avgPool2dBackward(Tensor g, int[] xShape, Pool2dParams p, boolean countIncludePad);

    /**
     * Adaptive mean pooling to (outH, outW): bin i covers rows floor(i*H/outH) .. ceil((i+1)*H/outH)-1
     * (likewise columns).
     */
    Tensor adaptiveAvgPool2dForward(Tensor x, int outH, int outW);

    Tensor adaptiveAvgPool2dBackward(Tensor g, int[] xShape);

    /** dL/dx and dL/d(gate logits) of {@link #channelGateForward}; either may be null when not asked for. */
    record GateGrads(Tensor gradX, Tensor gradLogits) {}

    /**
     * Squeeze-excitation's gate, the inverse direction of global pooling: out = x * gate with
     * x (N, C, H, W) and gate (N, C, 1, 1) = sigmoid(logits), one value per plane broadcast over
     * it. This default is the broadcasting multiply; a backend may run its own loop.
     */
    default Tensor channelGateForward(Tensor x, Tensor gate) {
        return x.backend().elementwise().binary(BinaryFn.MUL, x, gate);
    }

    /**
     * Backward of {@link #channelGateForward} with gate = sigmoid(logits):
     * dx = g * gate; dlogits = (sum over the plane of g * x) * gate * (1 - gate), shape (N, C, 1, 1).
     * This default composes multiply, sum and multiply; a backend may do both in one pass over g and x.
     */
    default GateGrads channelGateBackward(Tensor g, Tensor x, Tensor gate, boolean needX, boolean needLogits) {
        ElementwiseKernels ew = x.backend().elementwise();
        Tensor gx = needX ? ew.binary(BinaryFn.MUL, g, gate) : null;
        Tensor gl = null;
        if (needLogits) {
            Tensor gxProduct = ew.binary(BinaryFn.MUL, g, x);
            Tensor planeSums = x.backend().reduce().sum(gxProduct, new int[] {2, 3}, true);
            gxProduct.release();
            Tensor one = Tensor.full(gate.dtype(), gate.device(), 1.0, 1);
            Tensor complement = ew.binary(BinaryFn.SUB, one, gate);
            Tensor slope = ew.binary(BinaryFn.MUL, gate, complement);
            gl = ew.binary(BinaryFn.MUL, planeSums, slope);
            for (Tensor t : new Tensor[] {one, complement, slope, planeSums}) {
                t.release();
            }
        }
        return new GateGrads(gx, gl);
    }

    /**
     * dL/dx of squeeze-excitation as one op ({@code ops.SqueezeExcitation}), where x reaches the
     * loss through the gate and through its own global mean: dx = g * gate + spread, with gate and
     * spread (N, C, 1, 1) broadcast over each plane (spread = dL/d(mean) / (H·W)). This default is
     * a broadcasting multiply and add; a backend may write it in one pass over g.
     */
    default Tensor channelGateInputGradient(Tensor g, Tensor gate, Tensor spread) {
        ElementwiseKernels ew = g.backend().elementwise();
        Tensor gated = ew.binary(BinaryFn.MUL, g, gate);
        Tensor gx = ew.binary(BinaryFn.ADD, gated, spread);
        gated.release();
        return gx;
    }

    /**
     * {@link #channelGateInputGradient} for a caller that owns {@code g} (nothing reads it
     * afterwards, {@code Op.ownsGradOut}): a backend may write dx into g's storage and return g.
     * This default allocates (the CPU's float32 path writes into a g that starts its storage).
     */
    default Tensor channelGateInputGradientIntoG(Tensor g, Tensor gate, Tensor spread) {
        return channelGateInputGradient(g, gate, spread);
    }
}
