package org.gradlab.engine.golden;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradlab.engine.Reduction;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.ops.CrossEntropy;
import org.gradlab.engine.ops.LogSoftmax;
import org.gradlab.engine.ops.NllLoss;

/**
 * cross_entropy.npz. The kind of a case follows from its arrays: {@code logits}+{@code target}
 * → cross_entropy, {@code logp} → nll_loss, {@code logits} alone → log_softmax; optional
 * {@code class_weight}. Label smoothing and reduction: {@code meta.label_smoothing} /
 * {@code meta.reduction} (0 mean, 1 sum, 2 none) when present, else the known table, else the
 * case name ({@code ls0p1} = 0.1; "none" → NONE).
 */
public final class CrossEntropySuite extends OpSuite {
    /** Known label smoothing per case (cases not listed fall back to the name pattern). */
    static final Map<String, Double> LABEL_SMOOTHING = Map.of("ls0p1", 0.1, "ls0p1_big", 0.1, "weighted_ls0p1", 0.1,
            "weighted_ls0p1_big", 0.1);
    private static final Pattern LS = Pattern.compile("ls(\\d+)p(\\d+)");

    public CrossEntropySuite() {
        super("cross_entropy.npz");
    }

    @Override
    protected void runCase(CaseData d) {
        String c = d.caseName();
        if (!d.has("target")) {
            Tensor x = d.param("logits");
            Tensor out = LogSoftmax.apply(x);
            d.compare("out", out);
            out.backward(d.upstream(out));
            d.compare("grad_logits", x.grad());
            return;
        }
        int[] y = d.indices("target");
        Tensor w = d.has("class_weight") ? d.input("class_weight") : null;
        Reduction red = Reduction.values()[(int) d.meta("reduction", c.contains("none") ? 2 : 0)];
        boolean nll = d.has("logp");
        Tensor x = d.param(nll ? "logp" : "logits");
        Tensor out = nll ? NllLoss.apply(x, y, w, red) : CrossEntropy.apply(x, y, w, labelSmoothing(d), red);
        d.compare("out", out);
        out.backward(d.upstream(out));
        d.compare(nll ? "grad_logp" : "grad_logits", x.grad());
    }

    static double labelSmoothing(CaseData d) {
        Double known = LABEL_SMOOTHING.get(d.caseName());
        if (known == null) {
            Matcher m = LS.matcher(d.caseName());
            known = m.find() ? Double.parseDouble(m.group(1) + "." + m.group(2)) : 0.0;
        }
        return d.meta("label_smoothing", known);
    }
}
