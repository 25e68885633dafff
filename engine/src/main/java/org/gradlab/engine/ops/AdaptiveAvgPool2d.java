package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;

/**
 * Adaptive average pooling to (outH, outW), like {@code F.adaptive_avg_pool2d}: bin (i, j) is the
 * mean of x over rows [floor(i*H/outH), ceil((i+1)*H/outH)) and columns
 * [floor(j*W/outW), ceil((j+1)*W/outW)). (1, 1) is the global mean over (H, W).
 *
 * <p>dx[y,z] = sum over bins (i,j) containing (y,z) of g[i,j] / |bin(i,j)|.
 * NOTE: bins may overlap when H is not a multiple of outH.
 */
@Derivative("dx[y,z] = sum_{bins (i,j) containing (y,z)} g[i,j] / |bin(i,j)|")
public final class AdaptiveAvgPool2d extends Op {
    private final int[] xShape;

    private AdaptiveAvgPool2d(int[] xShape) {
        this.xShape = xShape;
    }

    public static Tensor apply(Tensor x, int outH, int outW) {
        Checks.rank("adaptive_avg_pool2d", "input", x, 4);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: output size must be >= 1, got (" + outH + "," + outW
                    + ")");
        }
        if (x.shape(2) < 1 || x.shape(3) < 1) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: input has an empty spatial plane "
                    + Shape.str(x.shape()));
        }
        Tensor out = x.backend().pool().adaptiveAvgPool2dForward(x, outH, outW);
        if (Autograd.isRecording(x)) {
            Autograd.record(new AdaptiveAvgPool2d(x.shape()), out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.backend().pool().adaptiveAvgPool2dBackward(g, xShape)};
    }
}
