package org.gradlab.engine.backend.cpu;

import org.gradlab.engine.DType;
import org.gradlab.natives.Blas;

/**
 * float32 1x1 stride-1 unpadded conv (groups 1) on small planes, over BLOCKS of samples: a 1x1
 * conv is out[n] = W x[n] with x[n] the (Cin, L) matrix of sample n, so nb samples turned
 * channel-major, X = (Cin, nb*L), make one GEMM out of nb:
 * <pre>
 *   forward        O  = W X          (Cout x nb*L)
 *   input grad     GX = W^T G        (Cin  x nb*L)
 *   filter grad    GW += G X^T       (Cout x Cin, summed over nb*L columns)
 * </pre>
 * with G the output gradient of the block, channel-major too. The same products as
 * {@link ConvReference}'s per-sample GEMMs (tested against it, ConvF32PathTest).
 *
 * <p>Why: per sample ({@link ConvSamples32}), a GEMM on EfficientNet-B0's 2x2 and 4x4 planes
 * has N = L = 4 or 16 columns, so OpenBLAS packs the whole weight matrix (up to 1280 x 320) for
 * every sample, and the filter gradient's per-sample GEMM has an inner dimension of L: it reads
 * and writes all of Cout x Cin for every 4 or 16 products. The turns between NCHW and
 * channel-major are one bulk copy and one heap loop each way, cheap next to 2*Cin flops per
 * output element. (bench/README.md, "1x1 convs in sample blocks".)
 *
 * <p>Heap staging slots ({@link HeapStage}): 0 sample-major block, 3 channel-major block.
 */
final class OneByOneBlocks32 {
    private OneByOneBlocks32() {}

    /**
     * Planes of fewer positions than this may take blocks ({@code -Dgradlab.conv1x1BlocksBelowL};
     * 0 keeps every 1x1 conv per sample, for benchmarks).
     */
    private static final int BLOCKS_BELOW_L = Integer.getInteger("gradlab.conv1x1BlocksBelowL", 8);
    /**
     * ... and weight matrices of at least this many floats (1 MB, the Zen 4 host's L2). NOTE: measured
     * (bench/README.md, "1x1 convs in sample blocks"): per sample, OpenBLAS runs GEMMs up to M*N*K = 100^3 with its
     * small-matrix kernels, which need no packing and are as fast as blocks or faster (the turns into
     * channel-major cost more than they save); larger ones pack the whole weight matrix per sample,
     * 2.6x the time of blocks for EfficientNet-B0's 1152->320 and 320->1280 convs on 2x2 planes.
     */
    private static final int BLOCKS_FROM_WEIGHTS = Integer.getInteger("gradlab.conv1x1BlocksFromWeights", 256 << 10);
    /** Columns one block GEMM should reach. */
    private static final int TARGET_COLUMNS = 1024;
    /** Upper bound on a channel-major block, in floats (16 MB). */
    private static final long MAX_BLOCK_FLOATS = 4L << 20;

    /**
     * Whether a 1x1 stride-1 unpadded conv with this plan takes blocks: groups 1, a small plane, a
     * large weight matrix, 2+ samples per block.
     */
    static boolean takes(CpuConv.Plan p) {
        return p.groups() == 1 && p.l() < BLOCKS_BELOW_L && (long) p.cin() * p.cout() >= BLOCKS_FROM_WEIGHTS
                && samplesPerBlock(p) > 1;
    }

    /**
     * Samples per GEMM. NOTE: at most ceil(N / threads), so that every thread gets a block; a
     * function of the plan and the thread count only, so a call's blocks (and bits) are fixed.
     */
    static int samplesPerBlock(CpuConv.Plan p) {
        int nb = Math.max(1, TARGET_COLUMNS / Math.max(1, p.l()));
        long perSample = (long) Math.max(p.cin(), p.cout()) * p.l();
        nb = (int) Math.min(nb, Math.max(1, MAX_BLOCK_FLOATS / Math.max(1, perSample)));
        nb = Math.min(nb, (p.n() + Parallel.threads() - 1) / Parallel.threads());
        return Math.max(1, Math.min(nb, p.n()));
    }

    /** Off-heap channel-major blocks for one chunk of blocks: the input side (Cin) and the output side (Cout). */
    private static final class Work implements AutoCloseable {
        final CpuStorage in;
        final CpuStorage out;

        Work(CpuConv.Plan p, int nb) {
            // written whole (a bulk copy or a beta-0 GEMM) before anything reads them
            in = new CpuStorage(DType.F32, (long) p.cin() * nb * p.l(), false);
            out = new CpuStorage(DType.F32, (long) p.cout() * nb * p.l(), false);
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }

    /** One block of samples [n0, n0 + nbk), ld = nbk * L columns. */
    private interface Block {
        void run(Work work, int chunk, int n0, int nbk, int ld);
    }

    /** Runs {@code body} for every block, the blocks split across threads, a {@link Work} per chunk. */
    private static void forEachBlock(CpuConv.Plan p, int nb, Block body) {
        int blocks = (p.n() + nb - 1) / nb;
        Parallel.forChunks(blocks, 1, (chunk, b0, b1) -> {
            try (Work work = new Work(p, nb)) {
                for (int b = b0; b < b1; b++) {
                    int n0 = b * nb;
                    int nbk = Math.min(nb, p.n() - n0);
                    body.run(work, chunk, n0, nbk, nbk * p.l());
                }
            }
        });
    }

    /**
     * out = W x + bias (bias may be null), every element written: the bias fills the channel-major
     * block's rows first and GEMM adds onto it (beta 1), as {@link ConvSamples32} does per sample.
     */
    static void forward(CpuStorage x, long xOff, CpuStorage w, long wOff, float[] bias, CpuStorage out, CpuConv.Plan p) {
        int os = p.cout() * p.l();
        forEachBlock(p, samplesPerBlock(p), (work, chunk, n0, nbk, ld) -> {
            loadChannelMajor(x, xOff + (long) n0 * p.cin() * p.l(), p.cin(), p.l(), nbk, work.in);
            if (bias != null) {
                float[] rows = HeapStage.scratch(3, p.cout() * ld);
                for (int co = 0; co < p.cout(); co++) {
                    java.util.Arrays.fill(rows, co * ld, (co + 1) * ld, bias[co]);
                }
                work.out.f32().put(0, rows, 0, p.cout() * ld);
            }
            Blas.sgemm(false, false, p.cout(), ld, p.cin(), 1f, w.buffer(), wOff, p.cin(), work.in.buffer(), 0, ld,
                    bias == null ? 0f : 1f, work.out.buffer(), 0, ld);
            out.f32().put(n0 * os, storeSampleMajor(work.out, p.cout(), p.l(), nbk), 0, nbk * os);
        });
    }

    /** gx = W^T g, every element written. */
    static void backwardInput(CpuStorage g, long gOff, CpuStorage w, long wOff, CpuStorage gx, CpuConv.Plan p) {
        int xs = p.cin() * p.l();
        forEachBlock(p, samplesPerBlock(p), (work, chunk, n0, nbk, ld) -> {
            loadChannelMajor(g, gOff + (long) n0 * p.cout() * p.l(), p.cout(), p.l(), nbk, work.out);
            Blas.sgemm(true, false, p.cin(), ld, p.cout(), 1f, w.buffer(), wOff, p.cin(), work.out.buffer(), 0, ld, 0f,
                    work.in.buffer(), 0, ld);
            gx.f32().put(n0 * xs, storeSampleMajor(work.in, p.cin(), p.l(), nbk), 0, nbk * xs);
        });
    }

    /**
     * gw (zero-filled) += g x^T over every block: chunk 0 of the blocks sums into gw, each other
     * chunk into a zeroed partial of its own, added in chunk order ({@link Parallel#addInOrder}).
     */
    static void backwardWeight(CpuStorage g, long gOff, CpuStorage x, long xOff, CpuStorage gw, CpuConv.Plan p) {
        int nb = samplesPerBlock(p);
        int size = p.cout() * p.cin();
        CpuStorage[] partial = new CpuStorage[Parallel.chunks((p.n() + nb - 1) / nb, 1)];
        partial[0] = gw;
        try {
            forEachBlock(p, nb, (work, chunk, n0, nbk, ld) -> {
                if (chunk > 0 && partial[chunk] == null) {
                    partial[chunk] = new CpuStorage(DType.F32, size); // zeroed: the GEMMs accumulate (beta 1)
                }
                loadChannelMajor(g, gOff + (long) n0 * p.cout() * p.l(), p.cout(), p.l(), nbk, work.out);
                loadChannelMajor(x, xOff + (long) n0 * p.cin() * p.l(), p.cin(), p.l(), nbk, work.in);
                Blas.sgemm(false, true, p.cout(), p.cin(), ld, 1f, work.out.buffer(), 0, ld, work.in.buffer(), 0, ld, 1f,
                        partial[chunk].buffer(), 0, p.cin());
            });
        } finally {
            Parallel.addInOrder(partial, size);
        }
    }

    /** dst (off-heap, c x nbk*l) = the nbk samples (each c x l) of src from {@code off}, channel-major. */
    private static void loadChannelMajor(CpuStorage src, long off, int c, int l, int nbk, CpuStorage dst) {
        int n = nbk * c * l;
        float[] sm = HeapStage.load(0, src.f32(), Math.toIntExact(off), n);
        float[] cm = HeapStage.scratch(3, n);
        int ld = nbk * l;
        for (int s = 0; s < nbk; s++) {
            for (int ch = 0; ch < c; ch++) {
                copyRow(sm, (s * c + ch) * l, cm, ch * ld + s * l, l);
            }
        }
        dst.f32().put(0, cm, 0, n);
    }

    /** The sample-major (nbk, c, l) heap array of the channel-major (c x nbk*l) off-heap block src. */
    private static float[] storeSampleMajor(CpuStorage src, int c, int l, int nbk) {
        int n = nbk * c * l;
        float[] cm = HeapStage.load(3, src.f32(), 0, n);
        float[] sm = HeapStage.scratch(0, n);
        int ld = nbk * l;
        for (int s = 0; s < nbk; s++) {
            for (int ch = 0; ch < c; ch++) {
                copyRow(cm, ch * ld + s * l, sm, (s * c + ch) * l, l);
            }
        }
        return sm;
    }

    /** dst[to, to+l) = src[from, from+l): a loop for the 1 to 16 floats of small planes, arraycopy above. */
    private static void copyRow(float[] src, int from, float[] dst, int to, int l) {
        if (l > 16) {
            System.arraycopy(src, from, dst, to, l);
            return;
        }
        for (int i = 0; i < l; i++) {
            dst[to + i] = src[from + i];
        }
    }
}
