package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.CpuBackend.dense;
import static org.gradlab.engine.backend.cpu.CpuBackend.storage;

import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.OptimKernels;

/**
 * Fused optimizer loops: per element, read once, compute, write once. The double loops are the
 * reference (float64 Adam and SGD); float32 Adam and SGD are fast paths beside them (tested
 * against them, OptimF32PathTest) that stage their tensors through heap arrays (bulk copies),
 * their elements split across threads ({@link Parallel}). Adam computes in float, as PyTorch
 * does, so its loop vectorises; SGD keeps the reference's double arithmetic per element, so its
 * float32 results are the bits the per-element loop gave.
 */
final class CpuOptim implements OptimKernels {

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                         double weightDecay, long step, boolean decoupled) {
        check("adam", p, g, m, v);
        Tensor gc = dense(g);
        int n = Math.toIntExact(p.numel());
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double stepSize = lr / bc1;
        double decay = decoupled ? 1 - lr * weightDecay : 1;
        double l2 = decoupled ? 0 : weightDecay;
        CpuStorage sp = storage(p);
        CpuStorage sg = storage(gc);
        CpuStorage sm = storage(m);
        CpuStorage sv = storage(v);
        long op = p.offset();
        long og = gc.offset();
        long om = m.offset();
        long ov = v.offset();
        if (p.dtype() == DType.F32) {
            // NOTE: float arithmetic, as PyTorch's float32 Adam (and the JIT vectorises it)
            float b1 = (float) beta1;
            float c1 = (float) (1 - beta1);
            float b2 = (float) beta2;
            float c2 = (float) (1 - beta2);
            float dec = (float) decay;
            float wd = (float) l2;
            float inv2 = (float) (1 / bc2Sqrt);
            float lrStep = (float) stepSize;
            float e = (float) eps;
            Parallel.forPieces(n, Parallel.grain(1), Parallel.pieceFloats(), (chunk, from, to) -> { // each chunk stages its own range, piece by piece
                int len = to - from;
                float[] fp = HeapStage.load(0, sp.f32(), (int) op + from, len);
                float[] fg = HeapStage.load(1, sg.f32(), (int) og + from, len);
                float[] fm = HeapStage.load(2, sm.f32(), (int) om + from, len);
                float[] fv = HeapStage.load(3, sv.f32(), (int) ov + from, len);
                for (int i = 0; i < len; i++) {
                    float pv = fp[i] * dec;
                    float gv = fg[i] + wd * pv;
                    float mv = b1 * fm[i] + c1 * gv;
                    float vv = b2 * fv[i] + c2 * gv * gv;
                    fm[i] = mv;
                    fv[i] = vv;
                    fp[i] = pv - lrStep * mv / ((float) Math.sqrt(vv) * inv2 + e);
                }
                HeapStage.store(fm, sm.f32(), (int) om + from, len);
                HeapStage.store(fv, sv.f32(), (int) ov + from, len);
                HeapStage.store(fp, sp.f32(), (int) op + from, len);
            });
            return;
        }
        for (int i = 0; i < n; i++) {
            double pv = sp.get(op + i) * decay;
            double gv = sg.get(og + i) + l2 * pv;
            double mv = beta1 * sm.get(om + i) + (1 - beta1) * gv;
            double vv = beta2 * sv.get(ov + i) + (1 - beta2) * gv * gv;
            sm.set(om + i, mv);
            sv.set(ov + i, vv);
            sp.set(op + i, pv - stepSize * mv / (Math.sqrt(vv) / bc2Sqrt + eps));
        }
    }

    @Override
    public void sgdStep(Tensor p, Tensor g, Tensor buf, double lr, double momentum, double dampening, boolean nesterov,
                        double weightDecay, boolean firstStep) {
        check("sgd", p, g, buf == null ? p : buf, p);
        Tensor gc = dense(g);
        int n = Math.toIntExact(p.numel());
        CpuStorage sp = storage(p);
        CpuStorage sg = storage(gc);
        CpuStorage sb = buf == null ? null : storage(buf);
        long op = p.offset();
        long og = gc.offset();
        long ob = buf == null ? 0 : buf.offset();
        if (p.dtype() == DType.F32) {
            sgdStep32(sp, op, sg, og, sb, ob, n, lr, momentum, dampening, nesterov, weightDecay, firstStep);
            return;
        }
        for (int i = 0; i < n; i++) {
            double pv = sp.get(op + i);
            double gv = sg.get(og + i) + weightDecay * pv;
            if (sb != null) {
                double b = firstStep ? gv : momentum * sb.get(ob + i) + (1 - dampening) * gv;
                sb.set(ob + i, b);
                gv = nesterov ? gv + momentum * b : b;
            }
            sp.set(op + i, pv - lr * gv);
        }
    }

    /**
     * The float32 SGD step: the double loop above, with the same double arithmetic per element
     * (so the same bits, and the challenge's figures stay as they were), but the tensors staged
     * through heap arrays instead of a get/set per element, and the elements split across threads
     * ({@link Parallel}). {@code sb} null: no momentum buffer.
     */
    private static void sgdStep32(CpuStorage sp, long op, CpuStorage sg, long og, CpuStorage sb, long ob, int n, double lr,
                                  double momentum, double dampening, boolean nesterov, double wd, boolean firstStep) {
        Parallel.forPieces(n, Parallel.grain(1), Parallel.pieceFloats(), (chunk, from, to) -> { // each chunk stages its own range, piece by piece
            int len = to - from;
            float[] fp = HeapStage.load(0, sp.f32(), (int) op + from, len);
            float[] fg = HeapStage.load(1, sg.f32(), (int) og + from, len);
            float[] fb = sb == null ? null : HeapStage.load(2, sb.f32(), (int) ob + from, len);
            for (int i = 0; i < len; i++) {
                double pv = fp[i];
                double gv = fg[i] + wd * pv;
                if (fb != null) {
                    double b = firstStep ? gv : momentum * fb[i] + (1 - dampening) * gv; // the first step's buffer is the gradient
                    fb[i] = (float) b;
                    gv = nesterov ? gv + momentum * b : b;
                }
                fp[i] = (float) (pv - lr * gv);
            }
            if (fb != null) {
                HeapStage.store(fb, sb.f32(), (int) ob + from, len);
            }
            HeapStage.store(fp, sp.f32(), (int) op + from, len);
        });
    }

    private static void check(String op, Tensor p, Tensor g, Tensor a, Tensor b) {
        for (Tensor t : new Tensor[] {p, a, b}) {
            if (!t.isContiguous()) {
                throw new IllegalArgumentException(op + ": parameters and state must be contiguous");
            }
        }
        for (Tensor t : new Tensor[] {g, a, b}) {
            if (!Arrays.equals(t.shape(), p.shape()) || t.dtype() != p.dtype()) {
                throw new IllegalArgumentException(op + ": tensor " + Shape.str(t.shape()) + " " + t.dtype()
                        + " does not match the parameter " + Shape.str(p.shape()) + " " + p.dtype());
            }
        }
    }
}
