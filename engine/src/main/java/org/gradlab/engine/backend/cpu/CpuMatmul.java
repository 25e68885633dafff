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
        int[] as = a.shape();
        int[] bs = b.shape();
        int[] outShape;
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
        int[] lead = as.length >= bs.length ? as : bs;
        outShape = lead.clone();
        outShape[outShape.length - 2] = as[as.length - 2];
        outShape[outShape.length - 1] = bs[bs.length - 1];
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        // k > 0: every GEMM writes its whole block (beta 0); k = 0: the product is all zeros
        Tensor out = k > 0 ? Tensor.uninitialized(a.dtype(), a.device(), outShape) : Tensor.zeros(a.dtype(), a.device(), outShape);
        if (out.numel() == 0) {
            return out;
        }
        int batches = batch(outShape);
        Operand oa = operand(a);
        Operand ob = operand(b);
        if (a.dim() > 2 && b.dim() == 2 && !oa.trans && isFoldable(oa.t)) {
            gemm(oa, ob, out, oa.t.offset(), ob.t.offset(), 0, m * batches, n, k);
            return out;
        }
        boolean batchedA = a.dim() > 2;
        boolean batchedB = b.dim() > 2;
        if (a.dtype() == DType.F32) { // the batches split across threads, each GEMM on one
            Parallel.forChunks(batches, Parallel.grain((long) m * n * k), (chunk, from, to) -> {
                for (int i = from; i < to; i++) {
                    gemm(oa, ob, out, oa.t.offset() + (batchedA ? oa.batchOffset(i) : 0),
                            ob.t.offset() + (batchedB ? ob.batchOffset(i) : 0), (long) i * m * n, m, n, k);
                }
            });
            return out;
        }
        for (int i = 0; i < batches; i++) {
            gemm(oa, ob, out, oa.t.offset() + (batchedA ? oa.batchOffset(i) : 0),
                    ob.t.offset() + (batchedB ? ob.batchOffset(i) : 0), (long) i * m * n, m, n, k);
        }
        return out;
    }

    /** A batched row-major operand whose batches follow each other can be one tall matrix. */
    private static boolean isFoldable(Tensor t) {
        return t.isContiguous();
    }

    private static void gemm(Operand a, Operand b, Tensor c, long offA, long offB, long offC, int m, int n, int k) {
        CpuStorage sc = storage(c);
        if (k == 0) {
            return;
        }
        if (c.dtype() == DType.F32) {
            sgemmSplit(a.trans, b.trans, m, n, k, storage(a.t), offA, a.ld, storage(b.t), offB, b.ld, 0f, sc, offC, n);
        } else {
            Blas.dgemm(a.trans, b.trans, m, n, k, 1.0, storage(a.t).buffer(), offA, a.ld,
                    storage(b.t).buffer(), offB, b.ld, 0.0, sc.buffer(), offC, n);
        }
    }

    /**
     * C (m x n) = op(A) * op(B) + beta * C, row-major, split across threads ({@link Parallel}):
     * the rows of C when m >= n, else its columns, each part a one-thread sgemm. Every element of
     * C is summed over k in one call whatever the split, so no reduction crosses threads.
     */
    private static void sgemmSplit(boolean ta, boolean tb, int m, int n, int k, CpuStorage a, long offA, int lda,
                                   CpuStorage b, long offB, int ldb, float beta, CpuStorage c, long offC, int ldc) {
        if (m >= n) {
            Parallel.forChunks(m, Parallel.grain((long) n * k), (chunk, r0, r1) -> Blas.sgemm(ta, tb, r1 - r0, n, k, 1f,
                    a.buffer(), offA + (ta ? r0 : (long) r0 * lda), lda, b.buffer(), offB, ldb, beta,
                    c.buffer(), offC + (long) r0 * ldc, ldc));
        } else {
            Parallel.forChunks(n, Parallel.grain((long) m * k), (chunk, c0, c1) -> Blas.sgemm(ta, tb, m, c1 - c0, k, 1f,
                    a.buffer(), offA, lda, b.buffer(), offB + (tb ? (long) c0 * ldb : c0), ldb, beta,
                    c.buffer(), offC + c0, ldc));
        }
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
            sgemmSplit(ox.trans, owT.trans, rows, outF, in, storage(ox.t), ox.t.offset(), ox.ld, storage(owT.t),
                    owT.t.offset(), owT.ld, (float) beta, so, 0, outF);
        } else {
            Blas.dgemm(ox.trans, owT.trans, rows, outF, in, 1.0, storage(ox.t).buffer(), ox.t.offset(), ox.ld,
                    storage(owT.t).buffer(), owT.t.offset(), owT.ld, beta, so.buffer(), 0, outF);
        }
        return out;
    }
}
