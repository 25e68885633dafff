package org.gradlab.natives;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS GEMM on off-heap buffers: {@code C = alpha * op(A) * op(B) + beta * C}, row-major.
 *
 * <p>Offsets are in elements. No data crosses the JNI border: pointers into the buffers are
 * handed to {@code cblas_sgemm}/{@code cblas_dgemm} directly.
 *
 * <p>NOTE: OpenBLAS runs with ONE thread unless {@code GRADLAB_BLAS_THREADS} (environment) or
 * {@code -Dgradlab.blasThreads} says otherwise: two threads stall erratically on 2-vCPU hosts.
 */
public final class Blas {
    private static volatile boolean initialised;

    private Blas() {}

    private static void init() {
        if (initialised) {
            return;
        }
        synchronized (Blas.class) {
            if (initialised) {
                return;
            }
            String prop = System.getProperty("gradlab.blasThreads", System.getenv("GRADLAB_BLAS_THREADS"));
            int threads = 1;
            if (prop != null && !prop.isBlank()) {
                threads = Integer.parseInt(prop.trim());
            }
            openblas_nolapack.blas_set_num_threads(threads);
            initialised = true;
        }
    }

    /** Threads OpenBLAS uses now. */
    public static int threads() {
        init();
        return openblas_nolapack.blas_get_num_threads();
    }

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             NativeBuffer a, long aOffset, int lda,
                             NativeBuffer b, long bOffset, int ldb,
                             float beta, NativeBuffer c, long cOffset, int ldc) {
        init();
        FloatPointer pa = new FloatPointer(a.pointer()).position(aOffset);
        FloatPointer pb = new FloatPointer(b.pointer()).position(bOffset);
        FloatPointer pc = new FloatPointer(c.pointer()).position(cOffset);
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        java.lang.ref.Reference.reachabilityFence(a);
        java.lang.ref.Reference.reachabilityFence(b);
        java.lang.ref.Reference.reachabilityFence(c);
    }

    public static void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             NativeBuffer a, long aOffset, int lda,
                             NativeBuffer b, long bOffset, int ldb,
                             double beta, NativeBuffer c, long cOffset, int ldc) {
        init();
        DoublePointer pa = new DoublePointer(a.pointer()).position(aOffset);
        DoublePointer pb = new DoublePointer(b.pointer()).position(bOffset);
        DoublePointer pc = new DoublePointer(c.pointer()).position(cOffset);
        openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        java.lang.ref.Reference.reachabilityFence(a);
        java.lang.ref.Reference.reachabilityFence(b);
        java.lang.ref.Reference.reachabilityFence(c);
    }
}
