package org.gradlab.nn.golden;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.golden.CaseData;
import org.gradlab.engine.golden.OpSuite;
import org.gradlab.nn.optim.GradClipping;

/**
 * grad_clip.npz: {@code clip_grad_norm_(params, max_norm)} over the gradients {@code grad_in_*}
 * of three parameters: the returned {@code total_norm} and the clipped {@code grad_out_*}.
 * max_norm per case from the table below (MANIFEST-v2.json's values; a test keeps them equal)
 * or {@code meta.max_norm}.
 */
public final class GradClipSuite extends OpSuite {
    /** The one instance that {@link ModelGoldenSuites#registerAll} registers. */
    public static final GradClipSuite INSTANCE = new GradClipSuite();
    /** max_norm of each case. */
    public static final Map<String, Double> MAX_NORM = Map.of("clip", 1.0, "noclip", 1e6);
    private static final List<String> PARAMS = List.of("a", "b", "c");

    private GradClipSuite() {
        super("grad_clip.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        Double known = MAX_NORM.get(d.caseName());
        if (known == null && !d.hasMeta("max_norm")) {
            d.fail("-", "no max_norm for this case (neither meta.max_norm nor GradClipSuite.MAX_NORM)");
            return;
        }
        List<Tensor> params = new ArrayList<>();
        for (String p : PARAMS) {
            Tensor grad = d.input("grad_in_" + p);
            Tensor param = Tensor.zeros(grad.dtype(), d.device(), grad.shape()).requiresGrad(true);
            param.setGrad(grad);
            params.add(param);
        }
        double total = GradClipping.clipGradNorm(params, d.meta("max_norm", known == null ? 0 : known));
        d.compare("total_norm", Tensor.scalar(total, params.get(0).dtype(), Device.CPU));
        for (int i = 0; i < PARAMS.size(); i++) {
            d.compare("grad_out_" + PARAMS.get(i), params.get(i).grad());
        }
    }
}
