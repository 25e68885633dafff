package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.DType;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.MatmulKernels;
import org.gradlab.natives.Blas;

/**
 * GEMM through OpenBLAS, reading strided (transposed) views in place; float32 splits its rows,
 * columns or batches across threads ({@link Parallel}), float64 (the reference dtype) runs one
 * call on the calling thread.
 */
final class CpuMatmul implements MatmulKernels {

    /**
     * How a (possibly batched) matrix operand is handed to GEMM: its last two dims as a (possibly
     * transposed) matrix with leading dimension {@code ld}; the batch dims each with their own
     * stride, so a permuted view (the heads of attention, (N, h, T, d) read from (N, T, h, d)) is
     * read in place, not copied.
     */
    private record Operand(Tensor t, boolean trans, int ld, int[] batchShape, int[] batchStrides, int rows, int cols) {
        /** The element offset of batch {@code i} (row-major over the batch dims) from the operand's start. */
        long batchOffset(long i) {
            long off = 0;
            for (int d = batchShape.length - 1; d >= 0 && i > 0; d--) {
                off += (i % batchShape[d]) * batchStrides[d];
                i /= batchShape[d];
            }
            return off;
        }
    }

    private static Operand operand(Tensor t) {
        int r = t.dim();
        int rows = t.shape(r - 2);
        int cols = t.shape(r - 1);
        int[] st = t.strides();
        int[] batchShape = java.util.Arrays.copyOf(t.shape(), r - 2);
        if (st[r - 1] == 1 && st[r - 2] >= Math.max(1, cols)) {
            return new Operand(t, false, st[r - 2], batchShape, java.util.Arrays.copyOf(st, r - 2), rows, cols);
        }
        if (st[r - 2] == 1 && st[r - 1] >= Math.max(1, rows)) {
            return new Operand(t, true, st[r - 1], batchShape, java.util.Arrays.copyOf(st, r - 2), rows, cols);
        }
        Tensor c = t.backend().elementwise().contiguous(t);
        return new Operand(c, false, Math.max(1, cols), batchShape, java.util.Arrays.copyOf(c.strides(), r - 2), rows, cols);
    }

    private static int batch(int[] shape) {
        int b = 1;
        for (int i = 0; i < shape.length - 2; i++) {
            b *= shape[i];
        }
        return b;
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int[] outShape = productShape(a, b);
        // k > 0: every GEMM writes its whole block (beta 0); k = 0: the product is all zeros
        Tensor out = a.shape(-1) > 0 ? Tensor.uninitialized(a.dtype(), a.device(), outShape)
                : Tensor.zeros(a.dtype(), a.device(), outShape);
        product(out, a, b, 1);
        return out;
    }

    @Override
    public void matmulInto(Tensor out, Tensor a, Tensor b, double alpha) {
        int[] shape = productShape(a, b);
        int r = out.dim();
        if (!java.util.Arrays.equals(shape, out.shape())) {
            throw new IllegalArgumentException("matmul into: the product of " + Shape.str(a.shape()) + " and "
                    + Shape.str(b.shape()) + " is " + Shape.str(shape) + ", the destination is " + Shape.str(out.shape()));
        }
        int n = shape[r - 1];
        if (n > 1 && out.strides()[r - 1] != 1 || out.strides()[r - 2] < n) {
            throw new IllegalArgumentException("matmul into: the destination's rows must be unit-stride and not overlap, got strides "
                    + Shape.str(out.strides()) + " for shape " + Shape.str(shape));
        }
        if (a.shape(-1) == 0) {
            out.backend().elementwise().fill(out, 0);
            return;
        }
        product(out, a, b, alpha);
    }

    private static int[] productShape(Tensor a, Tensor b) {
        int[] as = a.shape();
        int[] bs = b.shape();
        if (as.length > 2 && bs.length > 2) {
            if (as.length != bs.length) {
                throw new IllegalArgumentException("matmul: batched operands must have the same rank, got "
                        + Shape.str(as) + " and " + Shape.str(bs));
            }
            for (int i = 0; i < as.length - 2; i++) {
                if (as[i] != bs[i]) {
                    throw new IllegalArgumentException("matmul: batch dimensions differ: " + Shape.str(as) + " @ " + Shape.str(bs));
                }
            }
        }
        int[] outShape = (as.length >= bs.length ? as : bs).clone();
        outShape[outShape.length - 2] = as[as.length - 2];
        outShape[outShape.length - 1] = bs[bs.length - 1];
        return outShape;
    }

    /** out = alpha · a @ b, out of the product's shape with unit-stride rows (checked by the callers). */
    private static void product(Tensor out, Tensor a, Tensor b, double alpha) {
        int m = a.shape(-2);
        int k = a.shape(-1);
        int n = b.shape(-1);
        if (out.numel() == 0 || k == 0) {
            return;
        }
        int r = out.dim();
        int batches = batch(out.shape());
        Operand oa = operand(a);
        Operand ob = operand(b);
        Operand oc = new Operand(out, false, out.strides()[r - 2], java.util.Arrays.copyOf(out.shape(), r - 2),
                java.util.Arrays.copyOf(out.strides(), r - 2), m, n);
        if (a.dim() > 2 && b.dim() == 2 && !oa.trans && isFoldable(oa.t) && out.isContiguous()) {
            gemm(oa, ob, oc, oa.t.offset(), ob.t.offset(), out.offset(), m * batches, n, k, alpha);
            return;
        }
        boolean batchedA = a.dim() > 2;
        boolean batchedB = b.dim() > 2;
        if (a.dtype() == DType.F32) { // the batches split across threads, each GEMM on one
            Parallel.forChunks(batches, Parallel.grain((long) m * n * k), (chunk, from, to) -> {
                for (int i = from; i < to; i++) {
                    gemm(oa, ob, oc, oa.t.offset() + (batchedA ? oa.batchOffset(i) : 0),
                            ob.t.offset() + (batchedB ? ob.batchOffset(i) : 0), out.offset() + oc.batchOffset(i), m, n, k, alpha);
                }
            });
            return;
        }
        for (int i = 0; i < batches; i++) {
            gemm(oa, ob, oc, oa.t.offset() + (batchedA ? oa.batchOffset(i) : 0),
                    ob.t.offset() + (batchedB ? ob.batchOffset(i) : 0), out.offset() + oc.batchOffset(i), m, n, k, alpha);
        }
    }

    /** A batched row-major operand whose batches follow each other can be one tall matrix. */
    private static boolean isFoldable(Tensor t) {
        return t.isContiguous();
    }

    private static void gemm(Operand a, Operand b, Operand c, long offA, long offB, long offC, int m, int n, int k,
                             double alpha) {
        CpuStorage sc = storage(c.t);
        if (k == 0) {
            return;
        }
        if (c.t.dtype() == DType.F32) {
            sgemmSplit(a.trans, b.trans, m, n, k, (float) alpha, storage(a.t), offA, a.ld, storage(b.t), offB, b.ld, 0f, sc,
                    offC, c.ld);
        } else {
            Blas.dgemm(a.trans, b.trans, m, n, k, alpha, storage(a.t).buffer(), offA, a.ld,
                    storage(b.t).buffer(), offB, b.ld, 0.0, sc.buffer(), offC, c.ld);
        }
    }

    /**
     * C (m x n) = alpha * op(A) * op(B) + beta * C, row-major, split across threads ({@link Parallel}):
     * the rows of C when m >= n, else its columns, each part a one-thread sgemm. Every element of
     * C is summed over k in one call whatever the split, so no reduction crosses threads.
     */
    private static void sgemmSplit(boolean ta, boolean tb, int m, int n, int k, float alpha, CpuStorage a, long offA, int lda,
                                   CpuStorage b, long offB, int ldb, float beta, CpuStorage c, long offC, int ldc) {
        if (m >= n) {
            Parallel.forChunks(m, Parallel.grain((long) n * k), (chunk, r0, r1) -> Blas.sgemm(ta, tb, r1 - r0, n, k, alpha,
                    a.buffer(), offA + (ta ? r0 : (long) r0 * lda), lda, b.buffer(), offB, ldb, beta,
                    c.buffer(), offC + (long) r0 * ldc, ldc));
        } else {
            Parallel.forChunks(n, Parallel.grain((long) m * k), (chunk, c0, c1) -> Blas.sgemm(ta, tb, m, c1 - c0, k, alpha,
                    a.buffer(), offA, lda, b.buffer(), offB + (tb ? (long) c0 * ldb : c0), ldb, beta,
                    c.buffer(), offC + c0, ldc));
        }
    }

    /**
     * NOTE: float32 with more outputs than inputs (ViT's in-projection 192 -> 576 and mlp.0 192 -> 768) takes
     * (xᵀg)ᵀ, the (in, out) product then copied transposed: OpenBLAS's sgemm packs that orientation faster
     * (bench/README.md, "Linear layers and their GEMMs"; bench/scripts/sgemm-weight-grad.c); float64, the reference,
     * and the other shapes take gᵀx.
     */
    @Override
    public Tensor linearWeightGrad(Tensor g, Tensor x) {
        if (g.dtype() != DType.F32 || g.shape(1) <= x.shape(1)) {
            return matmul(g.transpose(0, 1), x);
        }
        Tensor inOut = matmul(x.transpose(0, 1), g);
        Tensor outIn = inOut.backend().elementwise().contiguous(inOut.transpose(0, 1));
        inOut.release();
        return outIn;
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        int rows = x.shape(0);
        int in = x.shape(1);
        int outF = weight.shape(0);
        // the bias copy or the GEMM (beta 0) writes every element; only a GEMM over in = 0 needs zeros
        Tensor out = bias != null || in > 0 ? Tensor.uninitialized(x.dtype(), x.device(), rows, outF)
                : Tensor.zeros(x.dtype(), x.device(), rows, outF);
        double beta = 0;
        if (bias != null) {
            out.backend().elementwise().copyInto(out, bias);
            beta = 1;
        }
        if (rows == 0 || in == 0) {
            return out;
        }
        Operand ox = operand(x);
        Operand ow = operand(weight);
        // out = x @ W^T: W^T is W read transposed
        Operand owT = new Operand(ow.t, !ow.trans, ow.ld, ow.batchShape, ow.batchStrides, ow.cols, ow.rows);
        CpuStorage so = storage(out);
        if (x.dtype() == DType.F32) {
            sgemmSplit(ox.trans, owT.trans, rows, outF, in, 1f, storage(ox.t), ox.t.offset(), ox.ld, storage(owT.t),
                    owT.t.offset(), owT.ld, (float) beta, so, 0, outF);
        } else {
            Blas.dgemm(ox.trans, owT.trans, rows, outF, in, 1.0, storage(ox.t).buffer(), ox.t.offset(), ox.ld,
                    storage(owT.t).buffer(), owT.t.offset(), owT.ld, beta, so.buffer(), 0, outF);
        }
        return out;
    }
}
