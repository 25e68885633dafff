package org.gradlab.engine.backend.cpu;

import java.nio.FloatBuffer;

/**
 * float32 loops of squeeze-excitation's gate (ops.ChannelGate), tested against the float64
 * default of PoolKernels (ChannelGateF32PathTest): forward out[p, :] = x[p, :] * gate[p] for each
 * plane p; backward in ONE pass over g and x per plane: dx[p, :] = g[p, :] * gate[p] and
 * dlogits[p] = (Σ g[p, :] · x[p, :]) · gate[p] · (1 − gate[p]).
 *
 * <p>Blocks of whole planes are staged into heap arrays ({@link HeapStage}) and split across
 * threads; each plane's sum uses eight float partial sums combined in double, the same order for
 * any thread count.
 *
 * <p>Small planes (below {@link ChannelLoops32#SMALL_PLANE} positions: EfficientNet's 4x4 and 2x2
 * stages) run each pass as ONE loop over the staged block with the per-plane factors spread over
 * its positions first (coef[k] = gate[k / hw], {@link #spread}), where a loop per plane of 4 or 16
 * elements cost 0.5-1.2 ns per element (4x4 planes' element-wise passes: each plane unrolled
 * instead, {@link #SPREAD_PLANE}). The element-wise results are the same expressions (same bits);
 * a plane's Σ g·x is then the products' sum in float, in another order than the dot's.
 */
final class ChannelGate32 {
    /** Floats staged per block of planes at most (unless one plane is larger). */
    private static final int BLOCK_FLOATS = 1 << 14;
    /**
     * Planes of at most this many positions (2x2) multiply by spread factors in one loop (the same
     * sixteen-statement unrolling as 4x4's on 2x2 planes: gate 0.05 -> 0.07 ms on (32, 1152, 2, 2)); 4x4
     * planes write each plane as sixteen statements (spreading 16 positions per plane cost more than
     * it saved: dx 0.13 -> 0.19 ms on (32, 480, 4, 4); unrolled 0.13 -> 0.115).
     */
    private static final int SPREAD_PLANE = 4;

    private ChannelGate32() {}

    /** out (planes x hw, written whole from 0) = x (from xo) with plane p scaled by gate[go + p]. */
    static void forward(FloatBuffer x, int xo, FloatBuffer gate, int go, FloatBuffer out, int planes, int hw) {
        int per = Math.max(1, BLOCK_FLOATS / Math.max(1, hw));
        Parallel.forChunks(planes, Parallel.grain(hw), (c, p0, p1) -> {
            for (int b0 = p0; b0 < p1; b0 += per) {
                int b1 = Math.min(p1, b0 + per);
                float[] xs = HeapStage.load(0, x, xo + b0 * hw, (b1 - b0) * hw);
                float[] gates = HeapStage.load(1, gate, go + b0, b1 - b0);
                scale(xs, gates, b1 - b0, hw, 2);
                HeapStage.store(xs, out, b0 * hw, (b1 - b0) * hw);
            }
        });
    }

    /**
     * gx (planes x hw from 0, when not null) = g * gate; gl (planes from 0, when not null) =
     * dlogits. g from gOff, x from xo, gate from gateOff.
     */
    static void backward(FloatBuffer g, int gOff, FloatBuffer x, int xo, FloatBuffer gate, int gateOff, FloatBuffer gx,
                         FloatBuffer gl, int planes, int hw) {
        int per = Math.max(1, BLOCK_FLOATS / Math.max(1, hw));
        Parallel.forChunks(planes, Parallel.grain(2L * hw), (c, p0, p1) -> {
            for (int b0 = p0; b0 < p1; b0 += per) {
                int b1 = Math.min(p1, b0 + per);
                int n = (b1 - b0) * hw;
                float[] gs = HeapStage.load(0, g, gOff + b0 * hw, n);
                float[] xs = gl != null ? HeapStage.load(1, x, xo + b0 * hw, n) : null;
                float[] gates = HeapStage.load(2, gate, gateOff + b0, b1 - b0);
                float[] gls = gl != null ? HeapStage.scratch(3, b1 - b0) : null;
                if (hw < ChannelLoops32.SMALL_PLANE) {
                    smallPlanesBackward(gs, xs, gates, gx != null, gls, b1 - b0, hw);
                } else {
                    planesBackward(gs, xs, gates, gx != null, gls, b1 - b0, hw);
                }
                if (gx != null) { // the staged copy of g, now g * gate
                    HeapStage.store(gs, gx, b0 * hw, n);
                }
                if (gl != null) {
                    HeapStage.store(gls, gl, b0, b1 - b0);
                }
            }
        });
    }

    /**
     * gx (planes x hw, written whole from 0) = g * gate[p] + spread[p] per plane p: the input
     * gradient of squeeze-excitation as one op, gate and pooling in one pass over g. g from gOff,
     * gate from gateOff, spread from spreadOff.
     */
    static void inputGradient(FloatBuffer g, int gOff, FloatBuffer gate, int gateOff, FloatBuffer spread, int spreadOff,
                              FloatBuffer gx, int planes, int hw) {
        int per = Math.max(1, BLOCK_FLOATS / Math.max(1, hw));
        Parallel.forChunks(planes, Parallel.grain(hw), (c, p0, p1) -> {
            for (int b0 = p0; b0 < p1; b0 += per) {
                int b1 = Math.min(p1, b0 + per);
                int n = (b1 - b0) * hw;
                float[] gs = HeapStage.load(0, g, gOff + b0 * hw, n);
                float[] gates = HeapStage.load(1, gate, gateOff + b0, b1 - b0);
                float[] spreads = HeapStage.load(2, spread, spreadOff + b0, b1 - b0);
                scaleAndAdd(gs, gates, spreads, b1 - b0, hw);
                HeapStage.store(gs, gx, b0 * hw, n);
            }
        });
    }

    /**
     * x[p, :] *= gate[p] for planes 0 .. planes - 1 of hw positions each (2x2 and smaller: by
     * {@link #spread} into staging slot {@code spreadSlot}, which must not hold xs or gates).
     */
    private static void scale(float[] xs, float[] gates, int planes, int hw, int spreadSlot) {
        if (hw == 16) { // 4x4: a plane as sixteen statements, no loop per plane
            for (int pl = 0, k = 0; pl < planes; pl++, k += 16) {
                float s = gates[pl];
                xs[k] *= s; xs[k + 1] *= s; xs[k + 2] *= s; xs[k + 3] *= s;
                xs[k + 4] *= s; xs[k + 5] *= s; xs[k + 6] *= s; xs[k + 7] *= s;
                xs[k + 8] *= s; xs[k + 9] *= s; xs[k + 10] *= s; xs[k + 11] *= s;
                xs[k + 12] *= s; xs[k + 13] *= s; xs[k + 14] *= s; xs[k + 15] *= s;
            }
            return;
        }
        if (hw <= SPREAD_PLANE) {
            float[] coef = spread(spreadSlot, gates, planes, hw);
            for (int k = 0, e = planes * hw; k < e; k++) {
                xs[k] *= coef[k];
            }
            return;
        }
        for (int pl = 0; pl < planes; pl++) {
            float s = gates[pl];
            for (int k = pl * hw, e = k + hw; k < e; k++) {
                xs[k] *= s;
            }
        }
    }

    /** g[p, :] = g[p, :] * gate[p] + spread[p] for planes 0 .. planes - 1 (small planes: by {@link #spread}). */
    private static void scaleAndAdd(float[] gs, float[] gates, float[] spreads, int planes, int hw) {
        if (hw == 16) { // 4x4: a plane as sixteen statements, no loop per plane
            for (int pl = 0, k = 0; pl < planes; pl++, k += 16) {
                float s = gates[pl];
                float a = spreads[pl];
                gs[k] = gs[k] * s + a; gs[k + 1] = gs[k + 1] * s + a; gs[k + 2] = gs[k + 2] * s + a; gs[k + 3] = gs[k + 3] * s + a;
                gs[k + 4] = gs[k + 4] * s + a; gs[k + 5] = gs[k + 5] * s + a; gs[k + 6] = gs[k + 6] * s + a; gs[k + 7] = gs[k + 7] * s + a;
                gs[k + 8] = gs[k + 8] * s + a; gs[k + 9] = gs[k + 9] * s + a; gs[k + 10] = gs[k + 10] * s + a; gs[k + 11] = gs[k + 11] * s + a;
                gs[k + 12] = gs[k + 12] * s + a; gs[k + 13] = gs[k + 13] * s + a; gs[k + 14] = gs[k + 14] * s + a; gs[k + 15] = gs[k + 15] * s + a;
            }
            return;
        }
        if (hw <= SPREAD_PLANE) {
            float[] s = spread(3, gates, planes, hw);
            float[] a = spread(4, spreads, planes, hw);
            for (int k = 0, e = planes * hw; k < e; k++) {
                gs[k] = gs[k] * s[k] + a[k];
            }
            return;
        }
        for (int pl = 0; pl < planes; pl++) {
            float s = gates[pl];
            float a = spreads[pl];
            for (int k = pl * hw, e = k + hw; k < e; k++) {
                gs[k] = gs[k] * s + a;
            }
        }
    }

    /** {@link #backward}'s block of planes of {@link ChannelLoops32#SMALL_PLANE} positions or more, plane by plane. */
    private static void planesBackward(float[] gs, float[] xs, float[] gates, boolean scaleG, float[] gls, int planes,
                                       int hw) {
        for (int pl = 0; pl < planes; pl++) {
            float s = gates[pl];
            int from = pl * hw;
            if (xs != null) { // before g's plane is scaled in place below
                double sum = RowLoops32.dot(gs, xs, from, hw);
                gls[pl] = (float) (sum * s * (1.0 - s));
            }
            if (scaleG) {
                for (int k = from, e = from + hw; k < e; k++) {
                    gs[k] *= s;
                }
            }
        }
    }

    /**
     * {@link #backward}'s block of small planes: gls[p] = (Σ_k g·x over plane p) · gate · (1 − gate),
     * the products in one loop over the block and each plane's summed in float ({@link #planeSum});
     * then, when {@code scaleG}, g *= gate (NOTE: after the products, which read g unscaled).
     */
    private static void smallPlanesBackward(float[] gs, float[] xs, float[] gates, boolean scaleG, float[] gls, int planes,
                                            int hw) {
        int n = planes * hw;
        if (gls != null) {
            float[] prod = HeapStage.scratch(4, n);
            for (int k = 0; k < n; k++) {
                prod[k] = gs[k] * xs[k];
            }
            for (int pl = 0, at = 0; pl < planes; pl++, at += hw) {
                float sum = planeSum(prod, at, hw);
                float s = gates[pl];
                gls[pl] = (float) ((double) sum * s * (1.0 - s));
            }
        }
        if (scaleG) {
            scale(gs, gates, planes, hw, 5); // slots 0-4 hold g, x, the gates, their gradients and the products
        }
    }

    /** Σ p[at .. at + hw) in float: 2x2 and 4x4 planes as pairwise sums without a loop, others in order. */
    private static float planeSum(float[] p, int at, int hw) {
        if (hw == 4) {
            return (p[at] + p[at + 1]) + (p[at + 2] + p[at + 3]);
        }
        if (hw == 16) {
            float a = (p[at] + p[at + 1]) + (p[at + 2] + p[at + 3]);
            float b = (p[at + 4] + p[at + 5]) + (p[at + 6] + p[at + 7]);
            float c = (p[at + 8] + p[at + 9]) + (p[at + 10] + p[at + 11]);
            float d = (p[at + 12] + p[at + 13]) + (p[at + 14] + p[at + 15]);
            return (a + b) + (c + d);
        }
        float sum = 0;
        for (int k = at, e = at + hw; k < e; k++) {
            sum += p[k];
        }
        return sum;
    }

    /** The scratch of {@code slot} holding v[p] at each of plane p's hw positions, planes 0 .. planes - 1. */
    private static float[] spread(int slot, float[] v, int planes, int hw) {
        float[] r = HeapStage.scratch(slot, planes * hw);
        if (hw == 4) {
            for (int p = 0, k = 0; p < planes; p++, k += 4) {
                float s = v[p];
                r[k] = s;
                r[k + 1] = s;
                r[k + 2] = s;
                r[k + 3] = s;
            }
        } else {
            for (int p = 0, k = 0; p < planes; p++, k += hw) {
                float s = v[p];
                for (int j = k, e = k + hw; j < e; j++) {
                    r[j] = s;
                }
            }
        }
        return r;
    }
}
