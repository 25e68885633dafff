package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;
import org.gradlab.natives.Blas;

/**
 * float32 conv (groups 1, im2col) over BLOCKS of samples: the col matrices of nb samples sit side
 * by side (K x nb*L, ld = nb*L), so one GEMM does the work of nb per-sample GEMMs. The same
 * arithmetic as {@link ConvReference}'s per-sample GEMMs (tested against it, ConvF32PathTest).
 *
 * <p>Why: with small output planes (L = 49 or 16 in ResNet-18's layer3/4) a per-sample GEMM has
 * N = L columns, and OpenBLAS repacks the whole weight matrix (up to 512 x 4608 floats) for every
 * sample; one GEMM per block packs it once per nb samples. The price is a rearrangement between
 * NCHW (sample-major) and the GEMM's channel-major block layout, which is cheap next to the
 * GEMM's 2*K flops per output element.
 *
 * <p>Heap staging slots (see {@link HeapStage}): 0 sample block of x or g, 1 zero-bordered pad,
 * 3 channel-major block, 4 sample-major block ({@link Im2col} writes and reads the col block in
 * place off-heap).
 */
final class ConvBlocks32 {
    private ConvBlocks32() {}

    /**
     * Columns one block GEMM should reach. {@code -Dgradlab.convBlockColumns=0} turns blocks off
     * (for benchmarks).
     */
    private static final int TARGET_COLUMNS = Integer.getInteger("gradlab.convBlockColumns", 800);
    /**
     * Output planes of at least this many positions stay per sample ({@code
     * -Dgradlab.convBlockBelowL}): exp 08's 14x14 conv (L = 196) is faster per sample, its 7x7 conv
     * (L = 49) in blocks (figures: bench/README.md, "Figures behind design choices").
     */
    private static final int PER_SAMPLE_FROM_L = Integer.getInteger("gradlab.convBlockBelowL", 100);
    /** Upper bound on the col block, in floats (16 MB). */
    private static final long MAX_COL_FLOATS = 4L << 20;

    /**
     * Below this many output channels the weights are too small for their packing to matter and
     * the block rearrangement costs more than it saves (the baseline CNN's 8→16 conv; figures:
     * bench/README.md, "Figures behind design choices"). {@code -Dgradlab.convBlockMinCout} overrides it.
     */
    private static final int NARROW_COUT = Integer.getInteger("gradlab.convBlockMinCout", 32);

    /** How many samples one GEMM takes; 1 means "per sample is fine". */
    static int samplesPerBlock(CpuConv.Plan p) {
        if (TARGET_COLUMNS <= 0 || p.cout() < NARROW_COUT || p.l() >= PER_SAMPLE_FROM_L) {
            return 1;
        }
        int nb = (TARGET_COLUMNS + p.l() - 1) / p.l();
        nb = (int) Math.min(nb, Math.max(1, MAX_COL_FLOATS / ((long) p.k() * p.l())));
        // NOTE: at most ceil(N / threads), so that every thread gets a block; the forward and the
        // backward of one step must see the same thread count (kept columns are laid out per block)
        nb = Math.min(nb, (p.n() + Parallel.threads() - 1) / Parallel.threads());
        return Math.max(1, Math.min(nb, p.n()));
    }

    /** Scratch for one call: off-heap col and channel-major blocks for GEMM, the zeroed pad. */
    private static final class Work implements AutoCloseable {
        final CpuStorage col;
        final CpuStorage blk;
        final float[] pad;

        Work(CpuConv.Plan p, int nb, boolean needCol) {
            // both are written whole before GEMM reads them (col by fillCol or a beta-0 GEMM, blk by
            // loadChannelMajor or a beta-0 GEMM): no zero fill needed
            col = needCol ? new CpuStorage(DType.F32, (long) p.k() * nb * p.l(), false) : null;
            blk = new CpuStorage(DType.F32, (long) p.cout() * nb * p.l(), false);
            pad = Im2col.zeroedPad(p.cin(), p.geo());
        }

        @Override
        public void close() {
            if (col != null) {
                col.close();
            }
            blk.close();
        }
    }

    /** One block of samples [n0, n0 + nbk), ld = nbk * L columns, run with its chunk's scratch. */
    private interface Block {
        void run(Work work, int chunk, int n0, int nbk, int ld);
    }

    /**
     * Runs {@code body} for every block of nb samples, the blocks split across threads
     * ({@link Parallel}); each chunk of blocks has its own {@link Work}.
     */
    private static void forEachBlock(CpuConv.Plan p, int nb, boolean needCol, Block body) {
        int blocks = (p.n() + nb - 1) / nb;
        Parallel.forChunks(blocks, 1, (chunk, b0, b1) -> {
            try (Work work = new Work(p, nb, needCol)) {
                for (int b = b0; b < b1; b++) {
                    int n0 = b * nb;
                    int nbk = Math.min(nb, p.n() - n0);
                    body.run(work, chunk, n0, nbk, nbk * p.l());
                }
            }
        });
    }

    /** Chunks {@link #forEachBlock} cuts the blocks into. */
    private static int chunks(CpuConv.Plan p, int nb) {
        return Parallel.chunks((p.n() + nb - 1) / nb, 1);
    }

    /**
     * out[n0..n0+nbk) = W * col + bias, for every block. With {@code keep} (K x N*L floats), the
     * col block of samples [n0, n0+nbk) is written there at n0*K*L and stays for
     * {@link #backwardWeight}.
     */
    static void forward(CpuStorage x, long xOff, CpuStorage w, long wOff, float[] bias, CpuStorage out, CpuStorage keep,
                        CpuConv.Plan p, int nb) {
        int xs = p.cin() * p.hw();
        int os = p.cout() * p.l();
        forEachBlock(p, nb, keep == null, (work, chunk, n0, nbk, ld) -> {
            float[] xb = HeapStage.load(0, x.f32(), (int) (xOff + (long) n0 * xs), nbk * xs);
            CpuStorage col = keep == null ? work.col : keep;
            long colOff = keep == null ? 0 : (long) n0 * p.k() * p.l();
            fillCol(xb, col, colOff, work.pad, p, nbk);
            Blas.sgemm(false, false, p.cout(), ld, p.k(), 1f, w.buffer(), wOff, p.k(), col.buffer(), colOff, ld, 0f,
                    work.blk.buffer(), 0, ld);
            float[] cm = HeapStage.load(3, work.blk.f32(), 0, p.cout() * ld);
            float[] sm = HeapStage.scratch(4, nbk * os);
            toSampleMajor(cm, sm, p.cout(), p.l(), nbk);
            if (bias != null) {
                for (int s = 0; s < nbk; s++) {
                    for (int co = 0; co < p.cout(); co++) {
                        float b = bias[co];
                        for (int i = (s * p.cout() + co) * p.l(), e = i + p.l(); i < e; i++) {
                            sm[i] += b;
                        }
                    }
                }
            }
            out.f32().put(n0 * os, sm, 0, nbk * os);
        });
    }

    /** gx = col2im(W^T * g), for every block. gx is fully written. */
    static void backwardInput(CpuStorage g, long gOff, CpuStorage w, long wOff, CpuStorage gx, CpuConv.Plan p, int nb) {
        int xs = p.cin() * p.hw();
        int os = p.cout() * p.l();
        forEachBlock(p, nb, true, (work, chunk, n0, nbk, ld) -> {
            loadChannelMajor(g, gOff + (long) n0 * os, work, p, nbk);
            Blas.sgemm(true, false, p.k(), ld, p.cout(), 1f, w.buffer(), wOff, p.k(), work.blk.buffer(), 0, ld, 0f,
                    work.col.buffer(), 0, ld);
            float[] xb = HeapStage.scratch(4, nbk * xs);
            for (int s = 0; s < nbk; s++) {
                Im2col.col2im(work.col, (long) s * p.l(), ld, p.cin(), p.geo(), work.pad, xb, s * xs);
            }
            gx.f32().put(n0 * xs, xb, 0, nbk * xs);
        });
    }

    /**
     * gw += g * col^T, for every block; col from {@code kept} (the forward's, same blocks) or
     * recomputed from x. Chunk 0 of the blocks sums into gw, each other chunk into a zeroed
     * partial of its own, added in chunk order ({@link Parallel#addInOrder}).
     */
    static void backwardWeight(CpuStorage g, long gOff, CpuStorage x, long xOff, CpuStorage kept, CpuStorage gw,
                               CpuConv.Plan p, int nb) {
        int xs = p.cin() * p.hw();
        int os = p.cout() * p.l();
        int size = p.cout() * p.k();
        CpuStorage[] partial = new CpuStorage[chunks(p, nb)];
        partial[0] = gw;
        try {
            forEachBlock(p, nb, kept == null, (work, chunk, n0, nbk, ld) -> {
                if (chunk > 0 && partial[chunk] == null) {
                    partial[chunk] = new CpuStorage(DType.F32, size); // zeroed: the GEMMs accumulate (beta 1)
                }
                loadChannelMajor(g, gOff + (long) n0 * os, work, p, nbk);
                CpuStorage col = kept == null ? work.col : kept;
                long colOff = kept == null ? 0 : (long) n0 * p.k() * p.l();
                if (kept == null) {
                    float[] xb = HeapStage.load(0, x.f32(), (int) (xOff + (long) n0 * xs), nbk * xs);
                    fillCol(xb, col, 0, work.pad, p, nbk);
                }
                Blas.sgemm(false, true, p.cout(), p.k(), ld, 1f, work.blk.buffer(), 0, ld, col.buffer(), colOff, ld, 1f,
                        partial[chunk].buffer(), 0, p.k());
            });
        } finally {
            Parallel.addInOrder(partial, size);
        }
    }

    /** dst from {@code dstOff} (off-heap, K x nbk*L) = the col matrices of the nbk samples of xb side by side. */
    private static void fillCol(float[] xb, CpuStorage dst, long dstOff, float[] pad, CpuConv.Plan p, int nbk) {
        int ld = nbk * p.l();
        for (int s = 0; s < nbk; s++) {
            Im2col.im2col(xb, s * p.cin() * p.hw(), p.cin(), p.geo(), pad, dst, dstOff + (long) s * p.l(), ld);
        }
    }

    /** work.blk (off-heap, C x nbk*L) = the nbk samples of g from {@code off}, channel-major. */
    private static void loadChannelMajor(CpuStorage g, long off, Work work, CpuConv.Plan p, int nbk) {
        int os = p.cout() * p.l();
        float[] sm = HeapStage.load(0, g.f32(), (int) off, nbk * os);
        float[] cm = HeapStage.scratch(3, nbk * os);
        int ld = nbk * p.l();
        for (int s = 0; s < nbk; s++) {
            for (int co = 0; co < p.cout(); co++) {
                System.arraycopy(sm, (s * p.cout() + co) * p.l(), cm, co * ld + s * p.l(), p.l());
            }
        }
        work.blk.f32().put(0, cm, 0, nbk * os);
    }

    /** sm (N, C, L) = cm (C, N*L). */
    private static void toSampleMajor(float[] cm, float[] sm, int c, int l, int nbk) {
        int ld = nbk * l;
        for (int s = 0; s < nbk; s++) {
            for (int co = 0; co < c; co++) {
                System.arraycopy(cm, co * ld + s * l, sm, (s * c + co) * l, l);
            }
        }
    }
}
