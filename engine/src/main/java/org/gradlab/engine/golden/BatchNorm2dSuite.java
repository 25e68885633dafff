package org.gradlab.engine.golden;

import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.engine.ops.BatchNorm2d;

/**
 * batchnorm2d.npz: train cases (arrays {@code running_mean_in}/{@code _out}) and eval cases
 * ({@code running_mean}); eps/momentum from {@code meta} or PyTorch's defaults 1e-5/0.1.
 * Checks out, grad_x/weight/bias, the running stats after the step and the batch statistics
 * (read back through a second forward with momentum 1: running = batch mean, unbiased var).
 * NOTE: {@code train_n2_1x1} normalises 2 values per channel, its grad_x is ~0 and
 * ill-conditioned: compared with an absolute tolerance (see the fixture README).
 */
public final class BatchNorm2dSuite extends OpSuite {
    /** Absolute-only tolerances for ill-conditioned arrays, per engine dtype: case.array → {F64, F32}. */
    static final Map<String, Tolerance[]> ABSOLUTE = Map.of(
            "train_n2_1x1.grad_x", new Tolerance[] {new Tolerance(0, 1e-12), new Tolerance(0, 1e-5)});

    public BatchNorm2dSuite() {
        super("batchnorm2d.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        boolean training = d.meta("training", d.has("running_mean_in") ? 1 : 0) != 0;
        double eps = d.meta("eps", 1e-5);
        double momentum = d.meta("momentum", 0.1);
        Tensor x = d.param("x");
        Tensor w = d.has("weight") ? d.param("weight") : null;
        Tensor b = d.has("bias") ? d.param("bias") : null;
        Tensor rm = d.input(training ? "running_mean_in" : "running_mean");
        Tensor rv = d.input(training ? "running_var_in" : "running_var");
        Tensor out = BatchNorm2d.apply(x, w, b, rm, rv, training, momentum, eps);
        d.compare("out", out);
        out.backward(d.upstream(out));
        Tolerance[] abs = ABSOLUTE.get(d.caseName() + ".grad_x");
        d.compare("grad_x", x.grad(), abs == null ? Tolerance.of(d.dtype()) : abs[d.dtype() == DType.F64 ? 0 : 1]);
        if (w != null) {
            d.compare("grad_weight", w.grad());
        }
        if (b != null) {
            d.compare("grad_bias", b.grad());
        }
        if (!training) {
            d.compare("running_mean", rm);
            d.compare("running_var", rv);
            return;
        }
        d.compare("running_mean_out", rm);
        d.compare("running_var_out", rv);
        if (d.has("batch_mean") || d.has("batch_var_biased")) {
            long n = x.numel() / x.shape(1);
            Tensor bm = Tensor.zeros(x.dtype(), x.device(), x.shape(1));
            Tensor bv = Tensor.zeros(x.dtype(), x.device(), x.shape(1));
            try (GradMode ng = GradMode.noGrad()) {
                BatchNorm2d.apply(x, w, b, bm, bv, true, 1.0, eps);
                d.compare("batch_mean", bm);
                d.compare("batch_var_biased", bv.mul((n - 1) / (double) n));
            }
        }
    }
}
