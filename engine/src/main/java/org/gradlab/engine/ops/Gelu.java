package org.gradlab.engine.ops;

import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.Derivative;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.backend.BinaryFn;
import org.gradlab.engine.backend.ElementwiseKernels;
import org.gradlab.engine.backend.UnaryFn;

/**
 * GELU, PyTorch's {@code F.gelu(x, approximate=...)}. Exact: out = x · Φ(x) = 0.5 · x · (1 +
 * erf(x / √2)), Φ the standard normal CDF. {@link Approximation#TANH}: out = 0.5 · x · (1 +
 * tanh(√(2/π) · (x + 0.044715 · x³))).
 *
 * <p>d gelu(x)/dx = Φ(x) + x · φ(x), φ(x) = e^(−x²/2) / √(2π); tanh form, with
 * t = tanh(√(2/π) · (x + 0.044715 · x³)): 0.5 · (1 + t) + 0.5 · x · (1 − t²) · √(2/π) · (1 + 3 · 0.044715 · x²)
 */
@Derivative("d gelu(x)/dx = Phi(x) + x * phi(x)  (tanh form: 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 0.134145 x^2))")
public final class Gelu extends Op {
    /** PyTorch's {@code approximate} argument: {@code 'none'} or {@code 'tanh'}. */
    public enum Approximation { NONE, TANH }

    private Approximation approximation;

    /** The exact (erf) form. */
    public static Tensor apply(Tensor x) {
        return apply(x, Approximation.NONE);
    }

    public static Tensor apply(Tensor x, Approximation approximation) {
        UnaryFn fn = approximation == Approximation.TANH ? UnaryFn.GELU_TANH : UnaryFn.GELU;
        Tensor out = x.backend().elementwise().unary(fn, x, 0, 0);
        if (Autograd.isRecording(x)) {
            Gelu op = new Gelu();
            op.approximation = approximation;
            op.save(x);
            Autograd.record(op, out, x);
        }
        return out;
    }

    @Override
    protected Tensor[] backward(Tensor g) {
        Tensor x = saved(0);
        BinaryFn d = approximation == Approximation.TANH ? BinaryFn.GELU_TANH_BACKWARD : BinaryFn.GELU_BACKWARD;
        ElementwiseKernels ew = g.backend().elementwise(); // g * gelu'(x), one kernel; into g where it is ours
        return new Tensor[] {ownsGradOut() ? ew.binaryIntoFirst(d, g, x) : ew.binary(d, g, x)};
    }
}
