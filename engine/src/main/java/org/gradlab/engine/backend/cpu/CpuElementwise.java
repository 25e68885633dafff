package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import java.nio.FloatBuffer;
import org.gradlab.engine.DType;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.UnaryFn;

/**
 * Elementwise kernels on the CPU; float32 fast paths for the functions training hammers, their
 * elements split across threads in ranges that each chunk stages on its own ({@link Parallel}).
 */
final class CpuElementwise implements ElementwiseKernels {
    /** Elements per chunk at least. */
    private static int elements() {
        return Parallel.grain(1);
    }

    /**
     * Floats staged per pass at most: each chunk runs its range in blocks this long, so a block
     * stays in the core's cache from its load through its loop to its store. Staging a whole chunk
     * (a 12 MB activation at one thread) sent it through memory three times instead of once.
     */
    static final int STAGE = 1 << 13;

    /** body over [0, n) in chunks across threads ({@link Parallel}), each chunk in blocks of at most {@link #STAGE}. */
    private static void forBlocks(int n, Parallel.Body body) {
        Parallel.forPieces(n, elements(), STAGE, body);
    }

    @Override
    public Tensor unary(UnaryFn fn, Tensor x, double p, double q) {
        Tensor c = dense(x);
        Tensor out = x.dtype() == DType.F32 ? Tensor.uninitialized(x.dtype(), x.device(), x.shape()) // the f32 paths write it whole
                : Tensor.zeros(x.dtype(), x.device(), x.shape());
        CpuStorage in = storage(c);
        CpuStorage o = storage(out);
        long off = c.offset();
        int n = Math.toIntExact(x.numel());
        if (x.dtype() == DType.F32 && fn == UnaryFn.RELU) {
            forBlocks(n, (chunk, from, to) -> {
                float[] a = HeapStage.load(0, in.f32(), (int) off + from, to - from);
                for (int i = 0; i < to - from; i++) {
                    a[i] = Math.max(a[i], 0f); // NOTE: branch-free; NaN propagates, as in PyTorch
                }
                HeapStage.store(a, o.f32(), from, to - from);
            });
            return out;
        }
        if (x.dtype() == DType.F32 && UnaryLoops32.covers(fn)) { // sigmoid, SiLU, GELU: float polynomials, by blocks
            long xa = OffHeap.floats(in, off, n);
            long oa = OffHeap.floats(o, 0, n);
            Parallel.forChunks(n, elements(), (chunk, from, to) ->
                    UnaryLoops32.apply(fn, OffHeap.plus(xa, from), OffHeap.plus(oa, from), to - from));
            return out;
        }
        if (x.dtype() == DType.F32 && fn == UnaryFn.AFFINE && q == 0 && p > 0 && (float) p == p) {
            // NOTE: p·x of two floats is exact in double, so rounding it once to float is the float
            // product: the reference's bits from a float loop that vectorises (attention's 1/√d scale).
            // x + 0 turns -0 into +0 as the reference's p·x + 0 does (with p > 0 nothing else rounds to ±0 differently)
            float pf = (float) p;
            forBlocks(n, (chunk, from, to) -> {
                float[] a = HeapStage.load(0, in.f32(), (int) off + from, to - from);
                for (int i = 0; i < to - from; i++) {
                    a[i] = (a[i] + 0f) * pf;
                }
                HeapStage.store(a, o.f32(), from, to - from);
            });
            return out;
        }
        if (x.dtype() == DType.F32 && fn == UnaryFn.AFFINE) { // p * x + q in double, rounded once: the reference's formula inline
            forBlocks(n, (chunk, from, to) -> {
                float[] a = HeapStage.load(0, in.f32(), (int) off + from, to - from);
                for (int i = 0; i < to - from; i++) {
                    a[i] = (float) (p * a[i] + q); // NOTE: not through fn.apply, a call per element the JIT cannot inline here
                }
                HeapStage.store(a, o.f32(), from, to - from);
            });
            return out;
        }
        if (x.dtype() == DType.F32) { // the reference's double formula per element, staged, element ranges split across threads
            forBlocks(n, (chunk, from, to) -> {
                float[] a = HeapStage.load(0, in.f32(), (int) off + from, to - from);
                for (int i = 0; i < to - from; i++) {
                    a[i] = (float) fn.apply(a[i], p, q);
                }
                HeapStage.store(a, o.f32(), from, to - from);
            });
            return out;
        }
        for (int i = 0; i < n; i++) { // the float64 reference: the enum constant itself, so this path cannot drift from it
            o.set(i, fn.apply(in.get(off + i), p, q));
        }
        return out;
    }

    @Override
    public Tensor binary(BinaryFn fn, Tensor a, Tensor b) {
        return binary(fn, a, b, null);
    }

    /**
     * Into a where a and b are float32, contiguous, of one shape, a from its storage's start and b
     * in another storage: then a float32 dense path below runs, and each of them loads a block of
     * a and b (or, for the derivatives, stages them) before it stores that block's results at the
     * same indices, each thread on its own range, so writing over a is safe.
     */
    @Override
    public Tensor binaryIntoFirst(BinaryFn fn, Tensor a, Tensor b) {
        boolean inPlace = b.dtype() == DType.F32 && b.isContiguous() && CpuBackend.writableOver(a, b.shape(), b);
        return binary(fn, a, b, inPlace ? a : null);
    }

    /** {@code into}: null, or a (see {@link #binaryIntoFirst}) to write the result over. */
    private Tensor binary(BinaryFn fn, Tensor a, Tensor b, Tensor into) {
        int[] shape = Shape.broadcast(fn.name().toLowerCase(), a.shape(), b.shape());
        Tensor out = into != null ? into // every path below writes each element once
                : Tensor.uninitialized(a.dtype(), a.device(), shape);
        CpuStorage sa = storage(a);
        CpuStorage sb = storage(b);
        CpuStorage so = storage(out);
        int[] stA = Shape.broadcastStrides(a.shape(), a.strides(), shape);
        int[] stB = Shape.broadcastStrides(b.shape(), b.strides(), shape);
        int r = shape.length;
        int la = r == 0 ? 0 : stA[r - 1];
        int lb = r == 0 ? 0 : stB[r - 1];
        boolean dense = a.isContiguous() && b.isContiguous() && java.util.Arrays.equals(a.shape(), b.shape());
        if (a.dtype() == DType.F32 && fn == BinaryFn.RELU_BACKWARD && dense) {
            int n = Math.toIntExact(out.numel());
            forBlocks(n, (chunk, from, to) -> {
                int[] g = HeapStage.loadBits(0, sa, (int) a.offset() + from, to - from); // bit masks: vectorised over int[]
                reluBackward(g, HeapStage.loadBits(1, sb, (int) b.offset() + from, to - from), to - from);
                HeapStage.storeBits(g, so, from, to - from);
            });
            return out;
        }
        if (a.dtype() == DType.F32 && fn.derivative() != null && UnaryLoops32.covers(fn.derivative()) && dense) {
            int n = Math.toIntExact(out.numel()); // g * f'(x) (SiLU, GELU backward): one pass, float polynomials
            long ga = OffHeap.floats(sa, a.offset(), n);
            long xa = OffHeap.floats(sb, b.offset(), n);
            long oa = OffHeap.floats(so, 0, n);
            Parallel.forChunks(n, elements(), (chunk, from, to) -> UnaryLoops32.multiplyByDerivative(fn.derivative(),
                    OffHeap.plus(ga, from), OffHeap.plus(xa, from), OffHeap.plus(oa, from), to - from));
            return out;
        }
        if (a.dtype() == DType.F32 && (fn == BinaryFn.ADD || fn == BinaryFn.MUL) && dense) {
            int n = Math.toIntExact(out.numel());
            boolean add = fn == BinaryFn.ADD;
            forBlocks(n, (chunk, from, to) -> {
                int len = to - from;
                float[] x = HeapStage.load(0, sa.f32(), (int) a.offset() + from, len);
                float[] y = HeapStage.load(1, sb.f32(), (int) b.offset() + from, len);
                if (add) {
                    for (int i = 0; i < len; i++) {
                        x[i] += y[i];
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        x[i] *= y[i];
                    }
                }
                HeapStage.store(x, so.f32(), from, len);
            });
            return out;
        }
        if (a.dtype() == DType.F32 && dense) { // any other function of two equal-shape operands: its double formula, staged
            int n = Math.toIntExact(out.numel());
            forBlocks(n, (chunk, from, to) -> {
                float[] x = HeapStage.load(0, sa.f32(), (int) a.offset() + from, to - from);
                float[] y = HeapStage.load(1, sb.f32(), (int) b.offset() + from, to - from);
                for (int i = 0; i < to - from; i++) {
                    x[i] = (float) fn.apply(x[i], y[i]);
                }
                HeapStage.store(x, so.f32(), from, to - from);
            });
            return out;
        }
        if (a.dtype() == DType.F32 && (fn == BinaryFn.ADD || fn == BinaryFn.MUL)) {
            Tensor full = a.isContiguous() && java.util.Arrays.equals(a.shape(), shape) ? a
                    : b.isContiguous() && java.util.Arrays.equals(b.shape(), shape) ? b : null;
            if (full != null) { // the other operand is broadcast (a per-channel scale, a bias): add and mul commute
                BroadcastLoops32.addOrMultiply(fn == BinaryFn.ADD, full, full == a ? b : a, out);
                return out;
            }
        }
        if (a.dtype() == DType.F32 && (fn == BinaryFn.ADD || fn == BinaryFn.MUL || fn == BinaryFn.RELU_BACKWARD)) {
            FloatBuffer fa = sa.f32();
            FloatBuffer fb = sb.f32();
            FloatBuffer fo = so.f32();
            Strided.forEachRow(shape, stA, a.offset(), stB, b.offset(), (ia, ib, io, len) -> {
                int pa = (int) ia;
                int pb = (int) ib;
                int po = (int) io;
                switch (fn) {
                    case ADD -> {
                        for (int i = 0; i < len; i++) {
                            fo.put(po + i, fa.get(pa + i * la) + fb.get(pb + i * lb));
                        }
                    }
                    case MUL -> {
                        for (int i = 0; i < len; i++) {
                            fo.put(po + i, fa.get(pa + i * la) * fb.get(pb + i * lb));
                        }
                    }
                    default -> {
                        for (int i = 0; i < len; i++) {
                            fo.put(po + i, fb.get(pb + i * lb) > 0 ? fa.get(pa + i * la) : 0f);
                        }
                    }
                }
            });
            return out;
        }
        Strided.forEachRow(shape, stA, a.offset(), stB, b.offset(), (ia, ib, io, len) -> {
            for (int i = 0; i < len; i++) {
                so.set(io + i, fn.apply(sa.get(ia + (long) i * la), sb.get(ib + (long) i * lb)));
            }
        });
        return out;
    }

    /**
     * g[i] = x[i] > 0 ? g[i] : 0 over the raw float bits, with integer masks: the select as a
     * compare and branch mispredicts on every other element of real activations; the masks on
     * float[] via floatToRawIntBits run scalar; on int[] the JIT vectorises them (figures:
     * bench/README.md, "Figures behind design choices"). NOTE: a NaN x gives 0, as x > 0 is false.
     */
    static void reluBackward(int[] g, int[] x, int n) {
        for (int i = 0; i < n; i++) {
            int b = x[i];
            int positive = ((-b) & ~b) >> 31;                  // -1 iff the sign bit is clear and b != 0
            int notNaN = ((b & 0x7fffffff) - 0x7f800001) >> 31; // -1 iff |x| <= +inf
            g[i] &= positive & notNaN;
        }
    }

    @Override
    public Tensor contiguous(Tensor x) {
        Tensor out = Tensor.uninitialized(x.dtype(), x.device(), x.shape()); // copyInto writes every element
        copyInto(out, x);
        return out;
    }

    @Override
    public void copyInto(Tensor dst, Tensor src) {
        int[] shape = dst.shape();
        Shape.broadcast("copy", src.shape(), shape);
        int[] stS = Shape.broadcastStrides(src.shape(), src.strides(), shape);
        int[] stD = dst.strides();
        CpuStorage ss = storage(src);
        CpuStorage sd = storage(dst);
        int r = shape.length;
        int ls = r == 0 ? 0 : stS[r - 1];
        int ld = r == 0 ? 0 : stD[r - 1];
        if (src.dtype() == DType.F32 && dst.dtype() == DType.F32) {
            Copy32.copy(shape, ss, src.offset(), stS, sd, dst.offset(), stD);
            return;
        }
        Strided.forEachRow(shape, stS, src.offset(), stD, dst.offset(), (is, id, io, len) -> {
            for (int i = 0; i < len; i++) {
                sd.set(id + (long) i * ld, ss.get(is + (long) i * ls));
            }
        });
    }

    @Override
    public void fill(Tensor dst, double value) {
        CpuStorage s = storage(dst);
        if (dst.isContiguous() && Double.doubleToRawLongBits(value) == 0) { // +0.0 (not -0.0): all bytes zero
            long bytes = dst.dtype().bytes();
            s.buffer().zero(dst.offset() * bytes, dst.numel() * bytes);
            return;
        }
        int r = dst.dim();
        int[] st = dst.strides();
        int l = r == 0 ? 0 : st[r - 1];
        Strided.forEachRow(dst.shape(), st, dst.offset(), null, 0, (ia, ib, io, len) -> {
            for (int i = 0; i < len; i++) {
                s.set(ia + (long) i * l, value);
            }
        });
    }

    @Override
    public void axpy(Tensor dst, Tensor src, double alpha) {
        requireContiguous("axpy", dst);
        if (!java.util.Arrays.equals(dst.shape(), src.shape())) {
            throw new IllegalArgumentException("axpy: shapes differ: " + Shape.str(dst.shape()) + " vs " + Shape.str(src.shape()));
        }
        Tensor s = dense(src);
        CpuStorage sd = storage(dst);
        CpuStorage ss = storage(s);
        int n = Math.toIntExact(dst.numel());
        long od = dst.offset();
        long os = s.offset();
        if (dst.dtype() == DType.F32 && src.dtype() == DType.F32) { // staged: leaf gradients of every parameter, every step
            float a = (float) alpha;
            forBlocks(n, (chunk, from, to) -> {
                float[] d = HeapStage.load(0, sd.f32(), (int) od + from, to - from);
                float[] x = HeapStage.load(1, ss.f32(), (int) os + from, to - from);
                for (int i = 0; i < to - from; i++) {
                    d[i] += a * x[i];
                }
                HeapStage.store(d, sd.f32(), (int) od + from, to - from);
            });
            return;
        }
        for (int i = 0; i < n; i++) {
            sd.set(od + i, sd.get(od + i) + alpha * ss.get(os + i));
        }
    }

    @Override
    public void scale(Tensor dst, double alpha) {
        requireContiguous("scale", dst);
        CpuStorage sd = storage(dst);
        int n = Math.toIntExact(dst.numel());
        for (int i = 0; i < n; i++) {
            sd.set(dst.offset() + i, sd.get(dst.offset() + i) * alpha);
        }
    }

    @Override
    public Tensor cast(Tensor x, DType to) {
        Tensor out = Tensor.zeros(to, x.device(), x.shape());
        copyInto(out, x);
        return out;
    }

    static void requireContiguous(String op, Tensor t) {
        if (!t.isContiguous()) {
            throw new IllegalArgumentException(op + ": destination must be contiguous, got strides "
                    + Shape.str(t.strides()) + " for shape " + Shape.str(t.shape()));
        }
    }
}
