package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.RowKernels;

/**
 * CPU layer norm and softmax. float64 (and float32 softmax along an inner axis) runs the
 * reference, {@link RowsReference}, on double copies of the inputs; float32 layer norm and
 * last-axis softmax run {@link RowLoops32} on the off-heap storage, one row staged at a time.
 * Softmax reads x as (outer, n, inner) with stride {@code inner} between the n elements.
 */
final class CpuRows implements RowKernels {

    @Override
    public LayerNormResult layerNormForward(Tensor x, int d, Tensor weight, Tensor bias, double eps) {
        int rows = rows(x, d);
        Tensor out = Tensor.uninitialized(x.dtype(), x.device(), x.shape());
        Tensor mean = Tensor.uninitialized(x.dtype(), x.device(), rows);
        Tensor invstd = Tensor.uninitialized(x.dtype(), x.device(), rows);
        if (x.dtype() == DType.F32) {
            Tensor xc = contiguous(x);
            RowLoops32.layerNorm(storage(xc), (int) xc.offset(), rows, d, floats(weight), floats(bias), eps,
                    storage(out), storage(mean).f32(), storage(invstd).f32());
            return new LayerNormResult(out, mean, invstd);
        }
        double[] y = new double[Math.toIntExact(x.numel())];
        double[] mu = new double[rows];
        double[] is = new double[rows];
        RowsReference.layerNorm(x.toDoubleArray(), rows, d, doubles(weight), doubles(bias), eps, y, mu, is);
        write(out, y);
        write(mean, mu);
        write(invstd, is);
        return new LayerNormResult(out, mean, invstd);
    }

    @Override
    public LayerNormGrads layerNormBackward(Tensor gradOut, Tensor x, int d, Tensor weight, Tensor mean, Tensor invstd,
                                            boolean needX, boolean needWeight, boolean needBias) {
        return layerNormBackward(gradOut, x, d, weight, mean, invstd, needX, needWeight, needBias, false);
    }

    /**
     * Into gradOut where it is float32, contiguous from its storage's start, of x's shape, in a
     * storage of its own: {@link RowLoops32#layerNormBackward} loads each row of g before it
     * stores that row's grad_x, each thread on its own rows.
     */
    @Override
    public LayerNormGrads layerNormBackwardIntoGradOut(Tensor gradOut, Tensor x, int d, Tensor weight, Tensor mean,
                                                       Tensor invstd, boolean needX, boolean needWeight, boolean needBias) {
        boolean into = x.dtype() == DType.F32 && CpuBackend.writableOver(gradOut, x.shape(), x);
        return layerNormBackward(gradOut, x, d, weight, mean, invstd, needX, needWeight, needBias, into);
    }

    private LayerNormGrads layerNormBackward(Tensor gradOut, Tensor x, int d, Tensor weight, Tensor mean, Tensor invstd,
                                             boolean needX, boolean needWeight, boolean needBias, boolean intoGradOut) {
        int rows = rows(x, d);
        Tensor gx = !needX ? null : intoGradOut ? gradOut : Tensor.uninitialized(x.dtype(), x.device(), x.shape());
        double[] gw = needWeight ? new double[d] : null;
        double[] gb = needBias ? new double[d] : null;
        if (x.dtype() == DType.F32) {
            Tensor gc = contiguous(gradOut);
            Tensor xc = contiguous(x);
            RowLoops32.layerNormBackward(storage(gc), (int) gc.offset(), storage(xc), (int) xc.offset(), rows, d,
                    floats(weight), floats(mean), floats(invstd), gx == null ? null : storage(gx), gw, gb);
        } else {
            double[] dx = needX ? new double[Math.toIntExact(x.numel())] : null;
            RowsReference.layerNormBackward(gradOut.toDoubleArray(), x.toDoubleArray(), rows, d, doubles(weight),
                    mean.toDoubleArray(), invstd.toDoubleArray(), dx, gw, gb);
            if (dx != null) {
                write(gx, dx);
            }
        }
        return new LayerNormGrads(gx, gw == null ? null : Tensor.of(x.dtype(), x.device(), gw, d),
                gb == null ? null : Tensor.of(x.dtype(), x.device(), gb, d));
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        Tensor out = Tensor.uninitialized(x.dtype(), x.device(), x.shape());
        int[] oni = lines(x, axis);
        if (x.dtype() == DType.F32 && oni[2] == 1) {
            Tensor xc = contiguous(x);
            RowLoops32.softmax(storage(xc), (int) xc.offset(), oni[0], oni[1], storage(out));
            return out;
        }
        double[] y = new double[Math.toIntExact(x.numel())];
        RowsReference.softmax(x.toDoubleArray(), oni[0], oni[1], oni[2], y);
        write(out, y);
        return out;
    }

    @Override
    public Tensor softmaxBackward(Tensor gradOut, Tensor y, int axis) {
        Tensor gx = Tensor.uninitialized(y.dtype(), y.device(), y.shape());
        int[] oni = lines(y, axis);
        if (y.dtype() == DType.F32 && oni[2] == 1) {
            Tensor gc = contiguous(gradOut);
            Tensor yc = contiguous(y);
            RowLoops32.softmaxBackward(storage(gc), (int) gc.offset(), storage(yc), (int) yc.offset(), oni[0], oni[1],
                    storage(gx));
            return gx;
        }
        double[] out = new double[Math.toIntExact(y.numel())];
        RowsReference.softmaxBackward(gradOut.toDoubleArray(), y.toDoubleArray(), oni[0], oni[1], oni[2], out);
        write(gx, out);
        return gx;
    }

    private static int rows(Tensor x, int d) {
        if (d <= 0 || x.numel() % d != 0) {
            throw new IllegalArgumentException("layer_norm: " + x.numel() + " elements do not split into rows of " + d);
        }
        return Math.toIntExact(x.numel() / d);
    }

    /** {outer, n, inner} of x along {@code axis} (outer = 0 for an empty tensor). */
    private static int[] lines(Tensor x, int axis) {
        int n = x.shape(axis);
        long inner = 1;
        for (int i = axis + 1; i < x.dim(); i++) {
            inner *= x.shape(i);
        }
        int outer = n == 0 || inner == 0 ? 0 : Math.toIntExact(x.numel() / (n * inner));
        return new int[] {outer, n, Math.toIntExact(inner)};
    }

    private static Tensor contiguous(Tensor t) {
        return t.isContiguous() ? t : t.backend().elementwise().contiguous(t);
    }

    private static double[] doubles(Tensor t) {
        return t == null ? null : t.toDoubleArray();
    }

    private static float[] floats(Tensor t) {
        return t == null ? null : t.toFloatArray();
    }

    /** Writes a whole contiguous freshly allocated tensor from a double array. */
    private static void write(Tensor t, double[] data) {
        CpuStorage s = storage(t);
        if (t.dtype() == DType.F64) {
            s.f64().put(0, data);
        } else {
            for (int i = 0; i < data.length; i++) {
                s.f32().put(i, (float) data[i]);
            }
        }
    }
}
