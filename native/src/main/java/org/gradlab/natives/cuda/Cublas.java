package org.gradlab.natives.cuda;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * cuBLAS GEMM on device pointers, row-major, one handle bound to one stream.
 *
 * <p>Row-major {@code C = alpha*op(A)*op(B) + beta*C} is computed as the column-major product
 * {@code C^T = op(B)^T * op(A)^T}: cuBLAS sees the row-major buffers as their transposes, so we
 * swap the operands and m/n and keep the transpose flags.
 *
 * <p>Math mode: {@link MathMode#DEFAULT} ({@code CUBLAS_DEFAULT_MATH}) never uses TF32 for FP32
 * GEMM; {@link MathMode#PEDANTIC} additionally forbids reduced-precision reductions;
 * {@link MathMode#TF32} opts into TF32 tensor cores (faster, ~10-bit mantissa products).
 * Not thread-safe: one thread at a time per handle (methods are synchronized).
 */
public final class Cublas implements AutoCloseable {
    /** cuBLAS math modes offered. */
    public enum MathMode { DEFAULT, PEDANTIC, TF32 }

    private cublasContext handle;
    private final FloatPointer fAlpha = new FloatPointer(1);
    private final FloatPointer fBeta = new FloatPointer(1);
    private final DoublePointer dAlpha = new DoublePointer(1);
    private final DoublePointer dBeta = new DoublePointer(1);
    private MathMode mode;

    /** Creates a handle on {@code stream} with the given math mode. */
    public Cublas(CudaStream stream, MathMode mode) {
        cublasContext h = new cublasContext();
        CudaCheck.checkCublas(cublas.cublasCreate_v2(h), "cublasCreate");
        this.handle = h;
        CudaCheck.checkCublas(cublas.cublasSetStream_v2(h, stream.handle()), "cublasSetStream");
        setMathMode(mode);
    }

    /** Changes the math mode (see class doc). */
    public synchronized void setMathMode(MathMode m) {
        int code = switch (m) {
            case DEFAULT -> cublas.CUBLAS_DEFAULT_MATH;
            case PEDANTIC -> cublas.CUBLAS_PEDANTIC_MATH;
            case TF32 -> cublas.CUBLAS_TF32_TENSOR_OP_MATH;
        };
        CudaCheck.checkCublas(cublas.cublasSetMathMode(handle(), code), "cublasSetMathMode " + m);
        this.mode = m;
    }

    public synchronized MathMode mathMode() {
        return mode;
    }

    /** cuBLAS version as major*10000+minor*100+patch (cublasGetVersion). */
    public synchronized int version() {
        int[] v = {0};
        CudaCheck.checkCublas(cublas.cublasGetVersion_v2(handle(), v), "cublasGetVersion");
        return v[0];
    }

    /**
     * Row-major FP32 GEMM: {@code C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C}; lda/ldb/ldc
     * are row-major leading dimensions (row lengths of the stored matrices).
     */
    public synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
                                   long b, int ldb, float beta, long c, int ldc) {
        fAlpha.put(alpha);
        fBeta.put(beta);
        CudaCheck.checkCublas(cublas.cublasSgemm_v2(handle(), op(transB), op(transA), n, m, k, fAlpha,
                new FloatPointer(DevicePointers.of(b)), ldb, new FloatPointer(DevicePointers.of(a)), lda, fBeta,
                new FloatPointer(DevicePointers.of(c)), ldc), "cublasSgemm m=" + m + " n=" + n + " k=" + k);
    }

    /** Row-major FP64 GEMM (see {@link #sgemm}). */
    public synchronized void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha, long a, int lda,
                                   long b, int ldb, double beta, long c, int ldc) {
        dAlpha.put(alpha);
        dBeta.put(beta);
        CudaCheck.checkCublas(cublas.cublasDgemm_v2(handle(), op(transB), op(transA), n, m, k, dAlpha,
                new DoublePointer(DevicePointers.of(b)), ldb, new DoublePointer(DevicePointers.of(a)), lda, dBeta,
                new DoublePointer(DevicePointers.of(c)), ldc), "cublasDgemm m=" + m + " n=" + n + " k=" + k);
    }

    /**
     * Row-major FP32 strided-batched GEMM: for b in [0, batch):
     * {@code C_b = alpha * op(A_b) * op(B_b) + beta * C_b}, {@code X_b = X + b * strideX} elements
     * (a stride of 0 shares one matrix across the batch).
     */
    public synchronized void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, long a,
                                                 int lda, long strideA, long b, int ldb, long strideB, float beta, long c,
                                                 int ldc, long strideC, int batch) {
        fAlpha.put(alpha);
        fBeta.put(beta);
        CudaCheck.checkCublas(cublas.cublasSgemmStridedBatched(handle(), op(transB), op(transA), n, m, k, fAlpha,
                new FloatPointer(DevicePointers.of(b)), ldb, strideB, new FloatPointer(DevicePointers.of(a)), lda, strideA,
                fBeta, new FloatPointer(DevicePointers.of(c)), ldc, strideC, batch),
                "cublasSgemmStridedBatched m=" + m + " n=" + n + " k=" + k + " batch=" + batch);
    }

    /** Row-major FP64 strided-batched GEMM (see {@link #sgemmStridedBatched}). */
    public synchronized void dgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, double alpha, long a,
                                                 int lda, long strideA, long b, int ldb, long strideB, double beta, long c,
                                                 int ldc, long strideC, int batch) {
        dAlpha.put(alpha);
        dBeta.put(beta);
        CudaCheck.checkCublas(cublas.cublasDgemmStridedBatched(handle(), op(transB), op(transA), n, m, k, dAlpha,
                new DoublePointer(DevicePointers.of(b)), ldb, strideB, new DoublePointer(DevicePointers.of(a)), lda, strideA,
                dBeta, new DoublePointer(DevicePointers.of(c)), ldc, strideC, batch),
                "cublasDgemmStridedBatched m=" + m + " n=" + n + " k=" + k + " batch=" + batch);
    }

    private static int op(boolean t) {
        return t ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N;
    }

    private cublasContext handle() {
        if (handle == null) {
            throw new IllegalStateException("Cublas handle was closed");
        }
        return handle;
    }

    @Override
    public synchronized void close() {
        if (handle != null) {
            cublas.cublasDestroy_v2(handle);
            handle = null;
            fAlpha.close();
            fBeta.close();
            dAlpha.close();
            dBeta.close();
        }
    }
}
