package org.gradlab.engine.check;

import java.util.function.Function;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;

/**
 * Central-difference gradient check in float64.
 *
 * <p>For {@code y = f(x_1..x_k)} and a random upstream {@code u}, the scalar
 * {@code L = sum(u * y)} has {@code dL/dx_i[j] ≈ (L(x_i[j]+h) - L(x_i[j]-h)) / 2h}; this is
 * compared with the autograd gradient element by element:
 * {@code |analytic - numeric| <= atol + rtol * |numeric|}.
 */
public final class GradCheck {
    /**
     * The worst element of one check: the largest absolute error, and the largest relative error
     * among the elements whose absolute error exceeds atol (0 when none does: then the
     * relative tolerance was never needed).
     */
    public record Result(String op, double maxAbsError, double maxRelError, boolean passed, String failure) {}

    private GradCheck() {}

    public static Result check(String op, Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(op, f, 1e-6, 1e-5, 1e-6, 7, inputs);
    }

    public static Result check(String op, Function<Tensor[], Tensor> f, double h, double rtol, double atol, long seed,
                               Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t != null && t.dtype() != DType.F64) {
                throw new IllegalArgumentException("gradcheck: inputs must be float64, got " + t.dtype());
            }
        }
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            leaves[i] = inputs[i] == null ? null : inputs[i].detach().requiresGrad(true);
        }
        Tensor y = f.apply(leaves);
        Tensor u = Tensor.uniform(new Generator(seed), 0.5, 1.5, DType.F64, y.device(), y.shape());
        y.backward(u);
        double worstAbs = 0;
        double worstRel = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                continue;
            }
            double[] base = inputs[i].toDoubleArray();
            double[] analytic = leaves[i].grad() == null ? new double[base.length] : leaves[i].grad().toDoubleArray();
            for (int j = 0; j < base.length; j++) {
                double plus = loss(f, inputs, i, base, j, base[j] + h, u);
                double minus = loss(f, inputs, i, base, j, base[j] - h, u);
                double numeric = (plus - minus) / (2 * h);
                double err = Math.abs(analytic[j] - numeric);
                double rel = err / Math.max(Math.abs(numeric), 1e-12);
                worstAbs = Math.max(worstAbs, err);
                if (err > atol) {
                    worstRel = Math.max(worstRel, rel);
                }
                if (!(err <= atol + rtol * Math.abs(numeric))) {
                    String msg = String.format("%s: gradient mismatch for input %d (shape %s) at element %d: analytic %.10g, "
                            + "numeric %.10g (abs err %.3g)", op, i, Shape.str(inputs[i].shape()), j, analytic[j], numeric, err);
                    return new Result(op, worstAbs, worstRel, false, msg);
                }
            }
        }
        return new Result(op, worstAbs, worstRel, true, null);
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, int which, double[] base, int j, double value,
                               Tensor u) {
        double[] moved = base.clone();
        moved[j] = value;
        Tensor[] args = inputs.clone();
        args[which] = Tensor.of(DType.F64, inputs[which].device(), moved, inputs[which].shape());
        try (GradMode ng = GradMode.noGrad()) {
            return f.apply(args).mul(u).sum().item();
        }
    }
}
