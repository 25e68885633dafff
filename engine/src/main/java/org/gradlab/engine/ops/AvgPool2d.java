package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.PoolKernels.Pool2dParams;

/**
 * Average pooling, like {@code F.avg_pool2d(x, k, s, p, count_include_pad=...)} (ceil_mode off):
 * out[n,c,i,j] = (1/D) sum over the real input elements of window (i,j), where
 * D = k*k when countIncludePad, else the number of real (non-pad) elements in the window.
 *
 * <p>dx[n,c,y,z] = sum over windows (i,j) containing (y,z) of g[n,c,i,j] / D(i,j).
 * NOTE: the two modes differ only in windows that overlap the padding.
 */
@Derivative("dx[y,z] = sum_{windows (i,j) containing (y,z)} g[i,j] / D(i,j)")
public final class AvgPool2d extends Op {
    private final Pool2dParams params;
    private final boolean countIncludePad;
    private final int[] xShape;

    private AvgPool2d(Pool2dParams params, boolean countIncludePad, int[] xShape) {
        this.params = params;
        this.countIncludePad = countIncludePad;
        this.xShape = xShape;
    }

    public static Tensor apply(Tensor x, int k, int stride, int padding, boolean countIncludePad) {
        return apply(x, new Pool2dParams(k, stride, padding), countIncludePad);
    }

    public static Tensor apply(Tensor x, Pool2dParams p, boolean countIncludePad) {
        PoolChecks.window("avg_pool2d", x, p);
        Tensor out = x.backend().pool().avgPool2dForward(x, p, countIncludePad);
        if (Autograd.isRecording(x)) {
            Autograd.record(new AvgPool2d(p, countIncludePad, x.shape()), out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        return new Tensor[] {g.backend().pool().avgPool2dBackward(g, xShape, params, countIncludePad)};
    }
}
