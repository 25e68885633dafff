package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;
import org.gradlab.natives.Blas;
import org.gradlab.natives.NativeBuffer;

/**
 * float32 conv, one sample and one group per GEMM: {@link ConvReference}'s algorithm with the
 * im2col/col2im of {@link Im2col} (each sample-group of x staged in or out of a heap array with
 * one bulk copy, its col matrix written and read in place off-heap), and a 1x1 stride-1 unpadded conv reading x itself as its col
 * matrix (no im2col at all). The forward bias is written into out[n] first and GEMM accumulates
 * onto it (beta 1); each chunk fills its own bias plane (a per-thread staging array), so the
 * training thread builds none before the split. The samples split across threads
 * ({@link Parallel}; the forward's claimed one at a time by whichever thread is free, so a late
 * pool thread's samples go to the caller); one scratch set per thread, nothing allocated per sample.
 */
final class ConvSamples32 {
    private ConvSamples32() {}

    /** C (m x n) = A * B + beta * C, with A or B transposed as asked; skips empty products. */
    private static void sgemm(boolean ta, boolean tb, int m, int n, int k, NativeBuffer a, long offA, int lda,
                              NativeBuffer b, long offB, int ldb, float beta, NativeBuffer c, long offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Blas.sgemm(ta, tb, m, n, k, 1f, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }

    /**
     * Per-call scratch: the off-heap col matrix (K x L) GEMM reads or writes, a heap staging array
     * for one sample-group of x (filled or emptied by one bulk copy) and a zero-bordered padded
     * copy of x; im2col and col2im write and read the col matrix in place. A 1x1 direct conv needs
     * none of it.
     */
    private static final class Scratch implements AutoCloseable {
        final CpuStorage col;
        final float[] xs;
        final float[] pad;

        /** {@code ownCol = false}: the caller passes kept columns, so no col matrix of its own is needed. */
        Scratch(CpuConv.Plan p, boolean ownCol) {
            boolean need = !p.direct();
            // im2col or a beta-0 GEMM writes it whole
            col = need && ownCol ? new CpuStorage(DType.F32, (long) p.k() * p.l(), false) : null;
            // per-thread arrays reused across calls (HeapStage): no allocation, no zeroing per call
            xs = need ? HeapStage.scratch(0, p.cinG() * p.hw()) : null;
            pad = need ? Im2col.zeroedPad(p.cinG(), p.geo()) : null;
        }

        /** col = im2col of the sample-group of x starting at {@code off}. */
        void im2col(CpuStorage x, long off, CpuConv.Plan p) {
            im2col(x, off, p, col, 0);
        }

        /** dst from {@code dstOff} (K x L) = im2col of the sample-group of x at {@code off}. */
        void im2col(CpuStorage x, long off, CpuConv.Plan p, CpuStorage dst, long dstOff) {
            x.f32().get((int) off, xs, 0, p.cinG() * p.hw());
            Im2col.im2col(xs, 0, p.cinG(), p.geo(), pad, dst, dstOff, p.l());
        }

        /** The sample-group of gx starting at {@code off} (written whole) = col2im of col. */
        void col2im(CpuStorage gx, long off, CpuConv.Plan p) {
            Im2col.col2im(col, 0, p.l(), p.cinG(), p.geo(), pad, xs, 0);
            gx.f32().put((int) off, xs, 0, p.cinG() * p.hw());
        }

        @Override
        public void close() {
            if (col != null) {
                col.close();
            }
        }
    }

    /**
     * out = conv(x, w) + bias (bias may be null), every element written. {@code keep}: where the
     * im2col of sample n goes (at n*K*L, groups 1) to stay for the filter gradient, or null.
     */
    static void forward(CpuStorage x, long xOff0, CpuStorage w, long wOff0, float[] bias, CpuStorage out,
                        CpuStorage keep, CpuConv.Plan p) {
        float beta = bias == null ? 0f : 1f;
        Parallel.forClaimed(p.n(), grain(p), () -> new Parallel.Claimant() {
            final Scratch ws = new Scratch(p, keep == null);
            final float[] biasPlane = bias == null ? null : biasPlane(bias, p.cout(), p.l());

            @Override
            public void run(int n) {
                if (biasPlane != null) {
                    out.f32().put(n * p.cout() * p.l(), biasPlane, 0, p.cout() * p.l()); // GEMM then adds onto it
                }
                for (int g = 0; g < p.groups(); g++) {
                    long xOff = xOff0 + ((long) n * p.cin() + (long) g * p.cinG()) * p.hw();
                    long oOff = ((long) n * p.cout() + (long) g * p.coutG()) * p.l();
                    long wOff = wOff0 + (long) g * p.coutG() * p.k();
                    if (p.direct()) {
                        sgemm(false, false, p.coutG(), p.l(), p.k(), w.buffer(), wOff, p.k(), x.buffer(), xOff, p.l(),
                                beta, out.buffer(), oOff, p.l());
                    } else {
                        CpuStorage col = keep == null ? ws.col : keep; // keep: groups == 1
                        long colOff = keep == null ? 0 : (long) n * p.k() * p.l();
                        ws.im2col(x, xOff, p, col, colOff);
                        sgemm(false, false, p.coutG(), p.l(), p.k(), w.buffer(), wOff, p.k(), col.buffer(), colOff,
                                p.l(), beta, out.buffer(), oOff, p.l());
                    }
                }
            }

            @Override
            public void close() {
                ws.close();
            }
        });
    }

    /** Samples per chunk: a sample is Cout x K x L multiply-adds in each pass. */
    private static int grain(CpuConv.Plan p) {
        return Parallel.grain((long) p.coutG() * p.groups() * p.k() * p.l());
    }

    /** The {@link HeapStage} slot of the bias plane (0: staged x, 1: padded x, 2 and 5: {@link Im2col}'s). */
    private static final int BIAS_SLOT = 3;

    /** One sample's output filled with the bias (Cout x L, row c = bias[c]) in this thread's staging array. */
    private static float[] biasPlane(float[] bias, int c, int l) {
        float[] plane = HeapStage.scratch(BIAS_SLOT, c * l);
        for (int i = 0; i < c; i++) {
            java.util.Arrays.fill(plane, i * l, (i + 1) * l, bias[i]);
        }
        return plane;
    }

    /** gx = col2im(W^T * g) per sample and group; every element of gx written. Samples split across threads. */
    static void backwardInput(CpuStorage g, long gOff0, CpuStorage w, long wOff0, CpuStorage gx, CpuConv.Plan p) {
        Parallel.forChunks(p.n(), grain(p), (chunk, from, to) -> {
            try (Scratch ws = new Scratch(p, true)) {
                for (int n = from; n < to; n++) {
                    for (int gr = 0; gr < p.groups(); gr++) {
                        long xOff = ((long) n * p.cin() + (long) gr * p.cinG()) * p.hw();
                        long gOff = gOff0 + ((long) n * p.cout() + (long) gr * p.coutG()) * p.l();
                        long wOff = wOff0 + (long) gr * p.coutG() * p.k();
                        if (p.direct()) {
                            sgemm(true, false, p.k(), p.l(), p.coutG(), w.buffer(), wOff, p.k(), g.buffer(), gOff, p.l(), 0f,
                                    gx.buffer(), xOff, p.l());
                        } else {
                            sgemm(true, false, p.k(), p.l(), p.coutG(), w.buffer(), wOff, p.k(), g.buffer(), gOff, p.l(), 0f,
                                    ws.col.buffer(), 0, p.l());
                            ws.col2im(gx, xOff, p);
                        }
                    }
                }
            }
        });
    }

    /**
     * gw (zero-filled) += g * col^T per sample and group; col from {@code kept} (the forward's
     * im2col of every sample, groups 1) or recomputed from x. The samples split across threads
     * in fixed chunks: chunk 0 sums into gw, each other chunk into a zeroed partial of its own,
     * added to gw in chunk order ({@link Parallel#addInOrder}).
     */
    static void backwardWeight(CpuStorage g, long gOff0, CpuStorage x, long xOff0, CpuStorage kept, CpuStorage gw,
                               CpuConv.Plan p) {
        int size = p.cout() * p.k();
        CpuStorage[] partial = new CpuStorage[Parallel.chunks(p.n(), grain(p))];
        partial[0] = gw;
        try {
            Parallel.forChunks(p.n(), grain(p), (chunk, from, to) -> {
                if (chunk > 0) {
                    partial[chunk] = new CpuStorage(DType.F32, size); // zeroed: the GEMMs accumulate (beta 1)
                }
                CpuStorage dst = partial[chunk];
                try (Scratch ws = new Scratch(p, kept == null)) {
                    for (int n = from; n < to; n++) {
                        accumulateWeight(g, gOff0, x, xOff0, kept, dst, p, ws, n);
                    }
                }
            });
        } finally {
            Parallel.addInOrder(partial, size);
        }
    }

    /** dst += g[n] * col(n)^T for every group of sample n. */
    private static void accumulateWeight(CpuStorage g, long gOff0, CpuStorage x, long xOff0, CpuStorage kept,
                                         CpuStorage dst, CpuConv.Plan p, Scratch ws, int n) {
        for (int gr = 0; gr < p.groups(); gr++) {
            long xOff = xOff0 + ((long) n * p.cin() + (long) gr * p.cinG()) * p.hw();
            long gOff = gOff0 + ((long) n * p.cout() + (long) gr * p.coutG()) * p.l();
            long wOff = (long) gr * p.coutG() * p.k();
            if (p.direct()) {
                sgemm(false, true, p.coutG(), p.k(), p.l(), g.buffer(), gOff, p.l(), x.buffer(), xOff, p.l(), 1f,
                        dst.buffer(), wOff, p.k());
            } else {
                CpuStorage col = kept == null ? ws.col : kept;
                long colOff = kept == null ? 0 : (long) n * p.k() * p.l();
                if (kept == null) {
                    ws.im2col(x, xOff, p);
                }
                sgemm(false, true, p.coutG(), p.k(), p.l(), g.buffer(), gOff, p.l(), col.buffer(), colOff, p.l(), 1f,
                        dst.buffer(), wOff, p.k());
            }
        }
    }
}
