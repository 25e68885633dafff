package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import java.util.Arrays;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ReduceKernels;

/**
 * Reductions on the GPU: one block per output element reads the (strided) input in place.
 * Sums accumulate in double ({@code reduce.cu}); max and its gradient use the first-maximum
 * kernel ({@code argmax} in tensor.cu): ties go to the FIRST maximum in row-major order of the
 * reduced block, a NaN is maximal (the first NaN wins), as on the CPU.
 */
final class CudaReduce implements ReduceKernels {

    static int[] outShape(int[] in, int[] axes, boolean keepdim) {
        int n = keepdim ? in.length : in.length - axes.length;
        int[] out = new int[n];
        int k = 0;
        for (int d = 0; d < in.length; d++) {
            boolean reduced = Arrays.binarySearch(axes, d) >= 0;
            if (!reduced) {
                out[k++] = in[d];
            } else if (keepdim) {
                out[k++] = 1;
            }
        }
        return out;
    }

    @Override
    public Tensor sum(Tensor x, int[] axes, boolean keepdim) {
        Tensor out = uninitialized(x, outShape(x.shape(), axes, keepdim));
        if (out.numel() == 0) {
            return out;
        }
        if (x.numel() == 0) {
            x.backend().elementwise().fill(out, 0);
            return out;
        }
        ctx(x).kernels().sum(type(x), ptr(x), longs(x.shape()), longs(x.strides()), axes, ptr(out));
        return out;
    }

    @Override
    public Tensor max(Tensor x, int[] axes, boolean keepdim) {
        Tensor out = uninitialized(x, outShape(x.shape(), axes, keepdim));
        if (out.numel() == 0) {
            return out;
        }
        if (x.numel() == 0) {
            throw new IllegalArgumentException("max: cannot reduce an empty tensor " + Arrays.toString(x.shape()));
        }
        ctx(x).kernels().tensor().argmax(type(x), ptr(x), longs(x.shape()), longs(x.strides()), axes, ptr(out), 0, 0);
        return out;
    }

    @Override
    public Tensor maxBackward(Tensor g, Tensor x, int[] axes, boolean keepdim) {
        requireSameDevice("max backward", x, g);
        Tensor gc = dense(g);
        Tensor gx = zeros(x, x.dtype(), x.shape());
        ctx(x).kernels().tensor().argmax(type(x), ptr(x), longs(x.shape()), longs(x.strides()), axes, 0, ptr(gc), ptr(gx));
        return gx;
    }
}
