package org.gradlab.engine.ops;

import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.PoolKernels.GateGrads;
import org.gradlab.engine.backend.UnaryFn;

/**
 * out = x * sigmoid(logits): squeeze-excitation's per-channel gate, x (N, C, H, W), logits
 * (N, C, 1, 1), each plane of x scaled by its own gate = sigmoid(logits[n, c]).
 *
 * <p>Backward: dx = g * gate; dlogits[n,c] = (Σ_{h,w} g·x) · gate · (1 − gate).
 *
 * <p>Why one op: as sigmoid then a broadcasting multiply, the backward builds the full product
 * g·x (N, C, H, W) only to sum it back to (N, C, 1, 1), and runs sigmoid's backward as three more
 * ops. Here the plane sums come from one pass over g and x that also writes dx (CPU float32).
 * Saved: x and the gate (N, C, 1, 1). NOTE: the gate is sigmoid(logits) rounded to the dtype, the
 * same value the forward multiplied by, so forward and backward agree bit for bit with the two-op form's gate.
 */
@Derivative("dx = g * gate; dlogits = sum_{h,w}(g * x) * gate * (1 - gate), gate = sigmoid(logits)")
public final class ChannelGate extends Op {

    public static Tensor apply(Tensor x, Tensor logits) {
        Checks.sameDeviceAndDtype("channel_gate", x, logits);
        Checks.rank("channel_gate", "input", x, 4);
        if (logits.dim() != 4 || logits.shape(0) != x.shape(0) || logits.shape(1) != x.shape(1) || logits.shape(2) != 1
                || logits.shape(3) != 1) {
            throw new IllegalArgumentException("channel_gate: expected logits of shape (" + x.shape(0) + ", " + x.shape(1)
                    + ", 1, 1) for input " + Shape.str(x.shape()) + ", got " + Shape.str(logits.shape()));
        }
        Tensor gate = logits.backend().elementwise().unary(UnaryFn.SIGMOID, logits, 0, 0);
        Tensor out = x.backend().pool().channelGateForward(x, gate);
        if (Autograd.isRecording(x, logits)) {
            ChannelGate op = new ChannelGate();
            op.save(x);
            op.saveOwned(gate); // read by nothing else: freed right after the backward
            Autograd.record(op, out, x, logits);
        } else {
            gate.release();
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        GateGrads r = x.backend().pool().channelGateBackward(g, x, saved(1), needsGrad(0), needsGrad(1));
        return new Tensor[] {r.gradX(), r.gradLogits()};
    }
}
