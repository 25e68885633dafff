package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ReduceKernels;

/**
 * Reductions as [outer, reduced, inner] blocks: when the reduced axes are adjacent the input
 * is read in place; otherwise they are first permuted to the end (one copy).
 * Sums accumulate in double. float32 sums take a staged fast path beside the reference loop
 * ({@link #sum32}, tested against it in ElementwiseF32PathTest).
 */
final class CpuReduce implements ReduceKernels {

    /** The input arranged so that out[o, i] reduces x[o, r, i] over r. */
    private record Blocks(Tensor x, int outer, int reduced, int inner, int[] permutation) {}

    private static Blocks blocks(Tensor x, int[] axes) {
        int[] shape = x.shape();
        boolean adjacent = true;
        for (int i = 1; i < axes.length; i++) {
            adjacent &= axes[i] == axes[i - 1] + 1;
        }
        if (axes.length == 0) {
            return new Blocks(dense(x), Math.toIntExact(x.numel()), 1, 1, null);
        }
        if (adjacent) {
            int outer = 1;
            int red = 1;
            int inner = 1;
            for (int d = 0; d < shape.length; d++) {
                if (d < axes[0]) {
                    outer *= shape[d];
                } else if (d <= axes[axes.length - 1]) {
                    red *= shape[d];
                } else {
                    inner *= shape[d];
                }
            }
            Tensor c = dense(x);
            return new Blocks(c, outer, red, inner, null);
        }
        int[] perm = new int[shape.length];
        int k = 0;
        int outer = 1;
        int red = 1;
        for (int d = 0; d < shape.length; d++) {
            if (java.util.Arrays.binarySearch(axes, d) < 0) {
                perm[k++] = d;
                outer *= shape[d];
            }
        }
        for (int a : axes) {
            perm[k++] = a;
            red *= shape[a];
        }
        Tensor p = x.detach().permute(perm);
        return new Blocks(p.backend().elementwise().contiguous(p), outer, red, 1, perm);
    }

    private static int[] outShape(int[] in, int[] axes, boolean keepdim) {
        int n = keepdim ? in.length : in.length - axes.length;
        int[] out = new int[n];
        int k = 0;
        for (int d = 0; d < in.length; d++) {
            boolean reduced = java.util.Arrays.binarySearch(axes, d) >= 0;
            if (!reduced) {
                out[k++] = in[d];
            } else if (keepdim) {
                out[k++] = 1;
            }
        }
        return out;
    }

    @Override
    public Tensor sum(Tensor x, int[] axes, boolean keepdim) {
        Blocks b = blocks(x, axes);
        Tensor out = Tensor.zeros(x.dtype(), x.device(), outShape(x.shape(), axes, keepdim));
        if (x.dtype() == org.gradlab.engine.DType.F32 && out.numel() > 0) {
            sum32(b, storage(out).f32());
            return out;
        }
        CpuStorage in = storage(b.x);
        CpuStorage o = storage(out);
        long base = b.x.offset();
        double[] acc = new double[b.inner];
        for (int oi = 0; oi < b.outer; oi++) {
            java.util.Arrays.fill(acc, 0);
            long blockStart = base + (long) oi * b.reduced * b.inner;
            for (int r = 0; r < b.reduced; r++) {
                long row = blockStart + (long) r * b.inner;
                for (int i = 0; i < b.inner; i++) {
                    acc[i] += in.get(row + i);
                }
            }
            for (int i = 0; i < b.inner; i++) {
                o.set((long) oi * b.inner + i, acc[i]);
            }
        }
        return out;
    }

    /** Floats staged per load at most (unless one row is longer). */
    private static final int STAGE_FLOATS = 1 << 14;
    /** Rows of an inner > 1 sum added in float before their sum goes into the double accumulators. */
    private static final int ROW_BLOCK = 64;
    /** Columns per chunk of an inner > 1 sum. */
    private static final int COLUMNS = 512;

    /**
     * The float32 sum on staged heap arrays, split across threads by output elements (so any
     * split gives the same bits). inner = 1 (sums over trailing axes: the squeeze-excitation
     * gate's and channel-bias gradients) sums each contiguous run with eight float partial sums
     * combined in double ({@link RowLoops32#sum}); inner > 1 (sums over leading rows: every
     * linear layer's bias gradient) adds blocks of {@link #ROW_BLOCK} rows in float, four rows per
     * vectorised pass, and the blocks' sums into double accumulators in block order.
     */
    private static void sum32(Blocks b, java.nio.FloatBuffer out) {
        java.nio.FloatBuffer in = storage(b.x).f32();
        int base = Math.toIntExact(b.x.offset());
        int red = b.reduced;
        if (b.inner == 1) {
            int per = Math.max(1, STAGE_FLOATS / Math.max(1, red));
            Parallel.forChunks(b.outer, Parallel.grain(red), (c, o0, o1) -> {
                for (int s0 = o0; s0 < o1; s0 += per) {
                    int s1 = Math.min(o1, s0 + per);
                    float[] xs = HeapStage.load(0, in, base + s0 * red, (s1 - s0) * red);
                    float[] sums = HeapStage.scratch(1, s1 - s0);
                    for (int k = 0; k < s1 - s0; k++) {
                        sums[k] = (float) RowLoops32.sum(xs, k * red, red);
                    }
                    HeapStage.store(sums, out, s0, s1 - s0);
                }
            });
            return;
        }
        int inner = b.inner;
        int columnBlocks = (inner + COLUMNS - 1) / COLUMNS;
        long xa = OffHeap.floats(storage(b.x), base, (long) b.outer * red * inner);
        Parallel.forChunks(b.outer * columnBlocks, Parallel.grain((long) red * Math.min(inner, COLUMNS)), (c, i0, i1) -> {
            double[] acc = new double[Math.min(inner, COLUMNS)];
            float[] row = HeapStage.scratch(0, acc.length);
            float[] sums = HeapStage.scratch(1, acc.length);
            float[] row1 = HeapStage.scratch(2, acc.length);
            float[] row2 = HeapStage.scratch(3, acc.length);
            float[] row3 = HeapStage.scratch(4, acc.length);
            for (int item = i0; item < i1; item++) {
                int oi = item / columnBlocks;
                int c0 = (item % columnBlocks) * COLUMNS;
                int n = Math.min(inner, c0 + COLUMNS) - c0;
                java.util.Arrays.fill(acc, 0, n, 0);
                for (int r0 = 0; r0 < red; r0 += ROW_BLOCK) {
                    long first = OffHeap.plus(xa, (long) (oi * red + r0) * inner + c0);
                    int rows = Math.min(ROW_BLOCK, red - r0);
                    OffHeap.load(first, sums, n); // raw copies: no buffer checks per row
                    int r = 1;
                    for (; r + 4 <= rows; r += 4) { // four rows per pass over sums
                        OffHeap.load(OffHeap.plus(first, (long) r * inner), row, n);
                        OffHeap.load(OffHeap.plus(first, (long) (r + 1) * inner), row1, n);
                        OffHeap.load(OffHeap.plus(first, (long) (r + 2) * inner), row2, n);
                        OffHeap.load(OffHeap.plus(first, (long) (r + 3) * inner), row3, n);
                        for (int i = 0; i < n; i++) {
                            sums[i] += (row[i] + row1[i]) + (row2[i] + row3[i]);
                        }
                    }
                    for (; r < rows; r++) {
                        OffHeap.load(OffHeap.plus(first, (long) r * inner), row, n);
                        for (int i = 0; i < n; i++) {
                            sums[i] += row[i];
                        }
                    }
                    for (int i = 0; i < n; i++) {
                        acc[i] += sums[i];
                    }
                }
                for (int i = 0; i < n; i++) {
                    sums[i] = (float) acc[i];
                }
                HeapStage.store(sums, out, oi * inner + c0, n);
            }
        });
    }

    @Override
    public Tensor max(Tensor x, int[] axes, boolean keepdim) {
        Blocks b = blocks(x, axes);
        Tensor out = Tensor.zeros(x.dtype(), x.device(), outShape(x.shape(), axes, keepdim));
        CpuStorage in = storage(b.x);
        CpuStorage o = storage(out);
        long base = b.x.offset();
        for (int oi = 0; oi < b.outer; oi++) {
            for (int i = 0; i < b.inner; i++) {
                long start = base + (long) oi * b.reduced * b.inner + i;
                o.set((long) oi * b.inner + i, in.get(start + firstMax(in, start, b.reduced, b.inner) * (long) b.inner));
            }
        }
        return out;
    }

    /** Index r of the first maximum (NaN counts as maximal, as in PyTorch). */
    private static int firstMax(CpuStorage in, long start, int n, int stride) {
        int best = 0;
        double bv = in.get(start);
        if (Double.isNaN(bv)) {
            return 0;
        }
        for (int r = 1; r < n; r++) {
            double v = in.get(start + (long) r * stride);
            if (Double.isNaN(v)) {
                return r;
            }
            if (v > bv) {
                bv = v;
                best = r;
            }
        }
        return best;
    }

    @Override
    public Tensor maxBackward(Tensor g, Tensor x, int[] axes, boolean keepdim) {
        Blocks b = blocks(x, axes);
        Tensor gc = dense(g);
        int[] blockShape = b.permutation == null ? x.shape() : permuted(x.shape(), b.permutation);
        Tensor gx = Tensor.zeros(x.dtype(), x.device(), blockShape);
        CpuStorage in = storage(b.x);
        CpuStorage gs = storage(gc);
        CpuStorage o = storage(gx);
        long base = b.x.offset();
        for (int oi = 0; oi < b.outer; oi++) {
            for (int i = 0; i < b.inner; i++) {
                long rel = (long) oi * b.reduced * b.inner + i;
                int r = firstMax(in, base + rel, b.reduced, b.inner);
                o.set(rel + (long) r * b.inner, gs.get(gc.offset() + (long) oi * b.inner + i));
            }
        }
        if (b.permutation == null) {
            return gx;
        }
        int[] inv = new int[b.permutation.length];
        for (int i = 0; i < inv.length; i++) {
            inv[b.permutation[i]] = i;
        }
        return gx.backend().elementwise().contiguous(gx.permute(inv));
    }

    private static int[] permuted(int[] shape, int[] perm) {
        int[] s = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            s[i] = shape[perm[i]];
        }
        return s;
    }
}
