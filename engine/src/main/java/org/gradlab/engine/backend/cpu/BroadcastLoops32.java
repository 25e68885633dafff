package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;

/**
 * float32 add and multiply against a broadcast operand ({@link CpuElementwise#binary}'s fast path
 * for a per-channel scale, a bias, the squeeze-excitation gate, drop path's per-sample mask):
 * the full operand staged in blocks, the other read from one heap copy.
 */
final class BroadcastLoops32 {
    private BroadcastLoops32() {}

    /**
     * out = full + other or full * other, {@code full} contiguous in the output's shape and
     * {@code other} broadcast to it, staged: where other is constant along a row (a (1, C, 1, 1)
     * operand against NCHW) the row is one scalar add or multiply, which the JIT vectorises
     * (the general strided path reads both through FloatBuffers, several times slower; figures:
     * bench/README.md, "Figures behind design choices").
     */
    static void addOrMultiply(boolean add, Tensor full, Tensor other, Tensor out) {
        Tensor oc = dense(other);
        float[] y = HeapStage.load(1, storage(oc).f32(), (int) oc.offset(), Math.toIntExact(oc.numel())); // read-only below
        int[][] merged = merged(out.shape(), Shape.broadcastStrides(oc.shape(), oc.strides(), out.shape()));
        int[] shape = merged[0]; // e.g. (N, C, H, W) * (N, C, 1, 1) as (N*C, H*W) with strides (1, 0): rows of H*W, not W
        int[] st = merged[1];
        int step = shape.length == 0 ? 0 : st[shape.length - 1];
        // the outermost axis splits across threads; each chunk stages its own slab of full
        int outer = shape.length < 2 ? 1 : shape[0];
        int[] inner = shape.length < 2 ? shape : java.util.Arrays.copyOfRange(shape, 1, shape.length);
        int slab = Math.toIntExact(out.numel() / Math.max(1, outer));
        int[] stInner = shape.length < 2 ? st : java.util.Arrays.copyOfRange(st, 1, st.length);
        int rowsPerStage = Math.max(1, CpuElementwise.STAGE / Math.max(1, slab));
        Parallel.forChunks(outer, Parallel.grain(slab), (chunk, c0, c1) -> {
            for (int i0 = c0; i0 < c1; i0 += rowsPerStage) { // blocks of outer rows (see CpuElementwise.STAGE)
                int i1 = Math.min(c1, i0 + rowsPerStage);
                float[] x = HeapStage.load(0, storage(full).f32(), (int) full.offset() + i0 * slab, (i1 - i0) * slab);
                if (shape.length == 2 && step == 0) { // one scalar per row (the squeeze-excitation gate): no row callbacks
                    scalarPerRow(add, x, slab, y, i0, i1, st[0]);
                    HeapStage.store(x, storage(out).f32(), i0 * slab, (i1 - i0) * slab);
                    continue;
                }
                for (int i = i0; i < i1; i++) {
                    int base = (i - i0) * slab;
                    long yBase = shape.length < 2 ? 0 : (long) i * st[0];
                    Strided.forEachRow(inner, stInner, yBase, null, 0, (iy, unused, io, len) -> {
                        int from = base + (int) io;
                        int to = from + len;
                        int at = (int) iy;
                        if (step == 0) {
                            addOrScale(add, x, from, to, y[at]);
                        } else {
                            for (int k = 0; k < len; k++) {
                                float v = y[at + k * step];
                                x[from + k] = add ? x[from + k] + v : x[from + k] * v;
                            }
                        }
                    });
                }
                HeapStage.store(x, storage(out).f32(), i0 * slab, (i1 - i0) * slab);
            }
        });
    }

    /**
     * x's rows i0..i1 (each {@code len} floats, x holding row i0 at 0) += or *= y[i * stride]: the
     * per-row callback of the general loop costs more than a 4- or 16-float row (EfficientNet's late
     * squeeze-excitation gates, 2x2 and 4x4 planes, tens of thousands of rows per call).
     */
    private static void scalarPerRow(boolean add, float[] x, int len, float[] y, int i0, int i1, int stride) {
        for (int i = i0; i < i1; i++) {
            int from = (i - i0) * len;
            addOrScale(add, x, from, from + len, y[i * stride]);
        }
    }

    /**
     * {shape, strides} with axes of size 1 dropped and adjacent axes a, b merged wherever the
     * strides allow (st[a] == shape[b] * st[b], broadcast zeros included), so the rows the
     * broadcast loops run over are as long as the operand's layout permits. The contiguous
     * operand merges with any axes.
     */
    static int[][] merged(int[] shape, int[] st) {
        int[] ms = new int[Math.max(1, shape.length)];
        int[] mst = new int[ms.length];
        int k = 0;
        ms[0] = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (k > 0 && mst[k - 1] == (long) shape[d] * st[d]) {
                ms[k - 1] *= shape[d];
                mst[k - 1] = st[d];
            } else {
                ms[k] = shape[d];
                mst[k++] = st[d];
            }
        }
        k = Math.max(1, k);
        return new int[][] {java.util.Arrays.copyOf(ms, k), java.util.Arrays.copyOf(mst, k)};
    }

    /** x[from..to) += v, or *= v. */
    private static void addOrScale(boolean add, float[] x, int from, int to, float v) {
        if (add) {
            for (int k = from; k < to; k++) {
                x[k] += v;
            }
        } else {
            for (int k = from; k < to; k++) {
                x[k] *= v;
            }
        }
    }
}
