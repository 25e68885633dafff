package org.gradlab.engine.golden;

import java.util.Map;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.SoftTargetCrossEntropy;

/**
 * soft_cross_entropy.npz, the probability-target cases {@code probs*}: {@code F.cross_entropy}
 * with (N, C) target probabilities, mean, label smoothing per case from the table below
 * (MANIFEST-v2.json's values; a test keeps them equal) or {@code meta.label_smoothing}. The
 * mixup/cutmix cases of the file belong to the data transforms' suite.
 */
public final class SoftCrossEntropySuite extends OpSuite {
    /** Label smoothing of each probability-target case. */
    public static final Map<String, Double> LABEL_SMOOTHING = Map.of("probs", 0.0, "probs_ls0p1", 0.1);

    public SoftCrossEntropySuite() {
        super("soft_cross_entropy.npz");
    }

    @Override
    protected boolean handles(String caseName) {
        return caseName.startsWith("probs");
    }

    @Override
    protected void runCase(CaseData d) {
        Double known = LABEL_SMOOTHING.get(d.caseName());
        if (known == null && !d.hasMeta("label_smoothing")) {
            d.fail("-", "no label smoothing for this case (neither meta.label_smoothing nor SoftCrossEntropySuite.LABEL_SMOOTHING)");
            return;
        }
        Tensor logits = d.param("logits");
        Tensor target = d.input("target_probs");
        Tensor out = SoftTargetCrossEntropy.apply(logits, target, d.meta("label_smoothing", known == null ? 0 : known), Reduction.MEAN);
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare("grad_logits", logits.grad());
    }
}
