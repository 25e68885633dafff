package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import java.nio.DoubleBuffer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.natives.Blas;

/**
 * The float64 REFERENCE conv (every float64 conv runs it; the float32 paths of {@link CpuConv}
 * are tested against it): the textbook im2col + GEMM, one sample and one group at a time, with
 * no special cases (1x1, depthwise and strided convs all take the same road).
 *
 * <p>Shapes: x (N, Cin, H, W), w (Cout, Cin/G, kh, kw), out (N, Cout, Ho, Wo), G groups. Per sample
 * n and group g, with K = Cin/G*kh*kw and L = Ho*Wo:
 * <pre>
 *   col        (K x L)          = im2col(x[n, group g's channels])
 *   out[n, g]  (Cout/G x L)     = W_g (Cout/G x K) * col  + bias
 *   dL/dcol    (K x L)          = W_g^T * dL/dout[n, g];   dL/dx[n, g] = col2im(dL/dcol)
 *   dL/dW_g    (Cout/G x K)    += dL/dout[n, g] * col^T   (summed over the batch)
 *   dL/dbias[c]                 = sum over n, oh, ow of dL/dout[n, c, oh, ow]
 * </pre>
 * where im2col copies each kernel window into a column:
 * {@code col[(c*kh + ki)*kw + kj][oh*Wo + ow] = x[c][oh*sh - ph + ki][ow*sw - pw + kj]} (0 where
 * that position is padding), and col2im is its transpose: it ADDS every col entry back onto the
 * input position it was copied from (a pixel in several windows receives the sum).
 */
final class ConvReference {
    private ConvReference() {}

    /** out = conv(x, w) + bias (bias may be null); x and w contiguous float64. */
    static Tensor forward(Tensor x, Tensor w, Tensor bias, CpuConv.Plan p) {
        Tensor out = Tensor.zeros(DType.F64, x.device(), p.n(), p.cout(), p.geo().ho(), p.geo().wo());
        if (out.numel() == 0) {
            return out;
        }
        DoubleBuffer xs = storage(x).f64();
        DoubleBuffer os = storage(out).f64();
        double[] b = bias == null ? null : bias.toDoubleArray();
        try (CpuStorage col = new CpuStorage(DType.F64, (long) p.k() * p.l())) {
            for (int n = 0; n < p.n(); n++) {
                for (int g = 0; g < p.groups(); g++) {
                    int xAt = (int) x.offset() + (n * p.cin() + g * p.cinG()) * p.hw();
                    int outAt = (n * p.cout() + g * p.coutG()) * p.l();
                    im2col(xs, xAt, p.cinG(), p.geo(), col.f64());
                    // out[n, g] (Cout/G x L) = W_g (Cout/G x K) * col (K x L)
                    Blas.dgemm(false, false, p.coutG(), p.l(), p.k(), 1.0, storage(w).buffer(),
                            w.offset() + (long) g * p.coutG() * p.k(), p.k(), col.buffer(), 0, p.l(), 0.0,
                            storage(out).buffer(), outAt, p.l());
                }
                for (int c = 0; b != null && c < p.cout(); c++) {
                    for (int i = 0; i < p.l(); i++) {
                        int at = (n * p.cout() + c) * p.l() + i;
                        os.put(at, os.get(at) + b[c]);
                    }
                }
            }
        }
        return out;
    }

    /** dL/dx = col2im(W^T * dL/dout), per sample and group; gOut and w contiguous float64. */
    static Tensor backwardInput(Tensor gOut, Tensor w, int[] xShape, CpuConv.Plan p) {
        Tensor gx = Tensor.zeros(DType.F64, gOut.device(), xShape);
        if (gx.numel() == 0 || gOut.numel() == 0) {
            return gx;
        }
        try (CpuStorage col = new CpuStorage(DType.F64, (long) p.k() * p.l())) {
            for (int n = 0; n < p.n(); n++) {
                for (int g = 0; g < p.groups(); g++) {
                    long gAt = gOut.offset() + (long) (n * p.cout() + g * p.coutG()) * p.l();
                    // dL/dcol (K x L) = W_g^T (K x Cout/G) * dL/dout[n, g] (Cout/G x L)
                    Blas.dgemm(true, false, p.k(), p.l(), p.coutG(), 1.0, storage(w).buffer(),
                            w.offset() + (long) g * p.coutG() * p.k(), p.k(), storage(gOut).buffer(), gAt, p.l(), 0.0,
                            col.buffer(), 0, p.l());
                    col2im(col.f64(), p.cinG(), p.geo(), storage(gx).f64(), (n * p.cin() + g * p.cinG()) * p.hw());
                }
            }
        }
        return gx;
    }

    /** dL/dW = sum over samples of dL/dout * im2col(x)^T, per group; gOut and x contiguous float64. */
    static Tensor backwardWeight(Tensor gOut, Tensor x, int[] wShape, CpuConv.Plan p) {
        Tensor gw = Tensor.zeros(DType.F64, gOut.device(), wShape);
        if (gw.numel() == 0 || gOut.numel() == 0) {
            return gw;
        }
        try (CpuStorage col = new CpuStorage(DType.F64, (long) p.k() * p.l())) {
            for (int n = 0; n < p.n(); n++) {
                for (int g = 0; g < p.groups(); g++) {
                    im2col(storage(x).f64(), (int) x.offset() + (n * p.cin() + g * p.cinG()) * p.hw(), p.cinG(), p.geo(),
                            col.f64());
                    long gAt = gOut.offset() + (long) (n * p.cout() + g * p.coutG()) * p.l();
                    // dL/dW_g (Cout/G x K) += dL/dout[n, g] (Cout/G x L) * col^T (L x K)
                    Blas.dgemm(false, true, p.coutG(), p.k(), p.l(), 1.0, storage(gOut).buffer(), gAt, p.l(), col.buffer(), 0,
                            p.l(), 1.0, storage(gw).buffer(), (long) g * p.coutG() * p.k(), p.k());
                }
            }
        }
        return gw;
    }

    /** dL/dbias[c] = sum of dL/dout over samples and positions of channel c; gOut contiguous float64. */
    static Tensor backwardBias(Tensor gOut) {
        int n = gOut.shape(0);
        int c = gOut.shape(1);
        int l = gOut.shape(2) * gOut.shape(3);
        DoubleBuffer g = storage(gOut).f64();
        double[] sums = new double[c];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int at = (int) gOut.offset() + (i * c + ch) * l;
                for (int k = 0; k < l; k++) {
                    sums[ch] += g.get(at + k);
                }
            }
        }
        return Tensor.of(DType.F64, gOut.device(), sums, c);
    }

    /**
     * col (K x L) = im2col of {@code channels} planes of x starting at {@code xAt}:
     * {@code col[(c*kh + ki)*kw + kj][oh*Wo + ow] = x[c][ih][iw]} with ih = oh*sh - ph + ki,
     * iw = ow*sw - pw + kj, and 0 where (ih, iw) lies in the padding.
     */
    static void im2col(DoubleBuffer x, int xAt, int channels, Im2col.Geo g, DoubleBuffer col) {
        int l = g.ho() * g.wo();
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int row = (c * g.kh() + ki) * g.kw() + kj;
                    for (int oh = 0; oh < g.ho(); oh++) {
                        for (int ow = 0; ow < g.wo(); ow++) {
                            int ih = oh * g.sh() - g.ph() + ki;
                            int iw = ow * g.sw() - g.pw() + kj;
                            boolean inside = ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w();
                            col.put(row * l + oh * g.wo() + ow, inside ? x.get(xAt + (c * g.h() + ih) * g.w() + iw) : 0.0);
                        }
                    }
                }
            }
        }
    }

    /**
     * The transpose of {@link #im2col}: {@code x[c][ih][iw] += col[(c*kh + ki)*kw + kj][oh*Wo + ow]}
     * for every col entry whose window position (ih, iw) lies inside the input (planes from xAt).
     */
    static void col2im(DoubleBuffer col, int channels, Im2col.Geo g, DoubleBuffer x, int xAt) {
        int l = g.ho() * g.wo();
        for (int c = 0; c < channels; c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++) {
                    int row = (c * g.kh() + ki) * g.kw() + kj;
                    for (int oh = 0; oh < g.ho(); oh++) {
                        for (int ow = 0; ow < g.wo(); ow++) {
                            int ih = oh * g.sh() - g.ph() + ki;
                            int iw = ow * g.sw() - g.pw() + kj;
                            if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                int at = xAt + (c * g.h() + ih) * g.w() + iw;
                                x.put(at, x.get(at) + col.get(row * l + oh * g.wo() + ow));
                            }
                        }
                    }
                }
            }
        }
    }
}
