package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.RowKernels;
import org.gradlab.natives.cuda.RowwiseKernels;

/** Layer norm and softmax on the GPU through our kernels ({@code rowwise.cu}, the CPU's math). */
final class CudaRows implements RowKernels {

    private static RowwiseKernels kernels(Tensor t) {
        return ctx(t).kernels().rowwise();
    }

    @Override
    public LayerNormResult layerNormForward(Tensor x, int d, Tensor weight, Tensor bias, double eps) {
        Tensor xc = dense(x);
        int rows = Math.toIntExact(x.numel() / Math.max(1, d));
        Tensor out = uninitialized(x, x.shape());
        Tensor mean = uninitialized(x, rows);
        Tensor invstd = uninitialized(x, rows);
        Tensor w = weight == null ? null : dense(weight);
        Tensor b = bias == null ? null : dense(bias);
        kernels(x).layerNormForward(type(x), ptr(xc), ptr(out), rows, d, eps, ptrOrNull(w), ptrOrNull(b), ptr(mean), ptr(invstd));
        return new LayerNormResult(out, mean, invstd);
    }

    @Override
    public LayerNormGrads layerNormBackward(Tensor gradOut, Tensor x, int d, Tensor weight, Tensor mean, Tensor invstd,
                                            boolean needX, boolean needWeight, boolean needBias) {
        requireSameDevice("layer_norm backward", x, gradOut);
        Tensor xc = dense(x);
        Tensor g = dense(gradOut);
        Tensor m = dense(mean);
        Tensor is = dense(invstd);
        int rows = Math.toIntExact(x.numel() / Math.max(1, d));
        RowwiseKernels k = kernels(x);
        Tensor gx = null;
        if (needX) {
            gx = uninitialized(x, x.shape());
            Tensor w = weight == null ? null : dense(weight);
            k.layerNormBackwardInput(type(x), ptr(g), ptr(xc), ptr(gx), rows, d, ptrOrNull(w), ptr(m), ptr(is));
        }
        Tensor gw = needWeight ? uninitialized(x, d) : null;
        Tensor gb = needBias ? uninitialized(x, d) : null;
        if (gw != null || gb != null) {
            k.layerNormBackwardParams(type(x), ptr(g), ptr(xc), rows, d, ptr(m), ptr(is), ptrOrNull(gw), ptrOrNull(gb));
        }
        return new LayerNormGrads(gx, gw, gb);
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        Tensor xc = dense(x);
        Tensor y = uninitialized(x, x.shape());
        long[] oni = lines(x, axis);
        kernels(x).softmaxForward(type(x), ptr(xc), ptr(y), oni[0], oni[1], oni[2]);
        return y;
    }

    @Override
    public Tensor softmaxBackward(Tensor gradOut, Tensor y, int axis) {
        requireSameDevice("softmax backward", y, gradOut);
        Tensor g = dense(gradOut);
        Tensor yc = dense(y);
        Tensor gx = uninitialized(y, y.shape());
        long[] oni = lines(y, axis);
        kernels(y).softmaxBackward(type(y), ptr(g), ptr(yc), ptr(gx), oni[0], oni[1], oni[2]);
        return gx;
    }

    /** (outer, n, inner) of a tensor along {@code axis}. */
    private static long[] lines(Tensor x, int axis) {
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < axis; i++) {
            outer *= x.shape(i);
        }
        for (int i = axis + 1; i < x.dim(); i++) {
            inner *= x.shape(i);
        }
        return new long[] {outer, x.shape(axis), inner};
    }
}
