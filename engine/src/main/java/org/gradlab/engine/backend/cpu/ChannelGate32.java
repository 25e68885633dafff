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
 */
final class ChannelGate32 {
    /** Floats staged per block of planes at most (unless one plane is larger). */
    private static final int BLOCK_FLOATS = 1 << 14;

    private ChannelGate32() {}

    /** out (planes x hw, written whole from 0) = x (from xo) with plane p scaled by gate[go + p]. */
    static void forward(FloatBuffer x, int xo, FloatBuffer gate, int go, FloatBuffer out, int planes, int hw) {
        int per = Math.max(1, BLOCK_FLOATS / Math.max(1, hw));
        Parallel.forChunks(planes, Parallel.grain(hw), (c, p0, p1) -> {
            for (int b0 = p0; b0 < p1; b0 += per) {
                int b1 = Math.min(p1, b0 + per);
                float[] xs = HeapStage.load(0, x, xo + b0 * hw, (b1 - b0) * hw);
                float[] gates = HeapStage.load(1, gate, go + b0, b1 - b0);
                for (int pl = 0; pl < b1 - b0; pl++) {
                    float s = gates[pl];
                    for (int k = pl * hw, e = k + hw; k < e; k++) {
                        xs[k] *= s;
                    }
                }
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
                for (int pl = 0; pl < b1 - b0; pl++) {
                    float s = gates[pl];
                    int from = pl * hw;
                    if (xs != null) { // before g's plane is scaled in place below
                        double sum = RowLoops32.dot(gs, xs, from, hw);
                        gls[pl] = (float) (sum * s * (1.0 - s));
                    }
                    if (gx != null) {
                        for (int k = from, e = from + hw; k < e; k++) {
                            gs[k] *= s;
                        }
                    }
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
                for (int pl = 0; pl < b1 - b0; pl++) {
                    float s = gates[pl];
                    float a = spreads[pl];
                    for (int k = pl * hw, e = k + hw; k < e; k++) {
                        gs[k] = gs[k] * s + a;
                    }
                }
                HeapStage.store(gs, gx, b0 * hw, n);
            }
        });
    }
}
