package org.gradlab.engine.backend.cuda;

import static org.gradlab.engine.backend.cuda.Dev.*;

import org.gradlab.engine.DType;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.MatmulKernels;
import org.gradlab.natives.cuda.Cublas;

/**
 * GEMM through cuBLAS. Row-major operands are handed over as they lie: a transposed view (unit
 * stride in its row index) is passed with the transpose flag instead of being copied; anything
 * else is made contiguous first. {@link Cublas} performs the row-major/column-major swap
 * ({@code C^T = B^T A^T}). Batches use {@code cublas?gemmStridedBatched} (stride 0 shares the
 * 2-D side). Addresses are element offsets × element size.
 */
final class CudaMatmul implements MatmulKernels {

    /** How a (possibly batched) matrix operand is handed to GEMM: leading dim, batch stride (elements). */
    record Operand(Tensor t, boolean trans, int ld, long batchStride, int rows, int cols) {}

    /** Same rule as the CPU backend: plain, transposed, or a contiguous copy. */
    static Operand operand(Tensor t) {
        int r = t.dim();
        int rows = t.shape(r - 2);
        int cols = t.shape(r - 1);
        int[] st = t.strides();
        boolean batchOk = true;
        for (int i = 0; i < r - 3; i++) {
            batchOk &= st[i] == st[i + 1] * t.shape(i + 1) || t.shape(i) == 1;
        }
        long bs = r > 2 ? st[r - 3] : 0;
        if (batchOk && st[r - 1] == 1 && st[r - 2] >= Math.max(1, cols)) {
            return new Operand(t, false, Math.max(1, st[r - 2]), bs, rows, cols);
        }
        if (batchOk && st[r - 2] == 1 && st[r - 1] >= Math.max(1, rows)) {
            return new Operand(t, true, Math.max(1, st[r - 1]), bs, rows, cols);
        }
        Tensor c = t.backend().elementwise().contiguous(t);
        return new Operand(c, false, Math.max(1, cols), (long) rows * cols, rows, cols);
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
        requireSameDevice("matmul", a, b);
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
        int[] lead = as.length >= bs.length ? as : bs;
        int[] outShape = lead.clone();
        outShape[outShape.length - 2] = as[as.length - 2];
        outShape[outShape.length - 1] = bs[bs.length - 1];
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (k == 0) {
            return zeros(a, a.dtype(), outShape);
        }
        Tensor out = uninitialized(a, outShape);
        if (out.numel() == 0) {
            return out;
        }
        int batches = batch(outShape);
        Operand oa = operand(a);
        Operand ob = operand(b);
        Cublas blas = ctx(a).cublas();
        if (a.dim() > 2 && b.dim() == 2 && !oa.trans() && oa.t().isContiguous()) {
            // a batch of row-major matrices that follow each other is one tall (batches*m, k) matrix
            gemm(blas, oa, ob, out, m * batches, n, k, 0, 0, 0, 1);
            return out;
        }
        long strideA = a.dim() > 2 ? oa.batchStride() : 0;
        long strideB = b.dim() > 2 ? ob.batchStride() : 0;
        gemm(blas, oa, ob, out, m, n, k, strideA, strideB, (long) m * n, batches);
        return out;
    }

    private static void gemm(Cublas blas, Operand a, Operand b, Tensor c, int m, int n, int k, long strideA, long strideB,
                             long strideC, int batches) {
        long pa = ptr(a.t());
        long pb = ptr(b.t());
        long pc = ptr(c);
        int ldc = Math.max(1, n);
        if (c.dtype() == DType.F32) {
            if (batches == 1) {
                blas.sgemm(a.trans(), b.trans(), m, n, k, 1f, pa, a.ld(), pb, b.ld(), 0f, pc, ldc);
            } else {
                blas.sgemmStridedBatched(a.trans(), b.trans(), m, n, k, 1f, pa, a.ld(), strideA, pb, b.ld(), strideB, 0f, pc, ldc,
                        strideC, batches);
            }
        } else if (batches == 1) {
            blas.dgemm(a.trans(), b.trans(), m, n, k, 1.0, pa, a.ld(), pb, b.ld(), 0.0, pc, ldc);
        } else {
            blas.dgemmStridedBatched(a.trans(), b.trans(), m, n, k, 1.0, pa, a.ld(), strideA, pb, b.ld(), strideB, 0.0, pc, ldc,
                    strideC, batches);
        }
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        requireSameDevice("linear", x, weight);
        requireSameDevice("linear", x, bias);
        int rows = x.shape(0);
        int in = x.shape(1);
        int outF = weight.shape(0);
        Tensor out;
        float beta = 0;
        if (bias != null) {
            out = uninitialized(x, rows, outF);
            x.backend().elementwise().copyInto(out, bias); // bias broadcast to every row; GEMM adds onto it
            beta = 1;
        } else {
            out = (rows == 0 || in == 0) ? zeros(x, x.dtype(), rows, outF) : uninitialized(x, rows, outF);
        }
        if (rows == 0 || in == 0 || outF == 0) {
            return out;
        }
        Operand ox = operand(x);
        Operand ow = operand(weight);
        // out = x @ W^T: W^T is W read with the opposite transpose flag
        Cublas blas = ctx(x).cublas();
        long pc = ptr(out);
        if (x.dtype() == DType.F32) {
            blas.sgemm(ox.trans(), !ow.trans(), rows, outF, in, 1f, ptr(ox.t()), ox.ld(), ptr(ow.t()), ow.ld(), beta, pc, outF);
        } else {
            blas.dgemm(ox.trans(), !ow.trans(), rows, outF, in, 1.0, ptr(ox.t()), ox.ld(), ptr(ow.t()), ow.ld(), beta, pc, outF);
        }
        return out;
    }
}
