package org.gradlab.challenge.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.engine.autograd.Op;
import org.gradlab.nn.Module;

/**
 * Training health per layer and epoch: mean gradient norm over the epoch's steps, the
 * update/weight ratio ||w_end - w_start|| / ||w_start||, BatchNorm running-statistic drift
 * ||r_end - r_start|| / ||r_start||, and the dead-ReLU fraction (share of a ReLU's outputs that
 * are exactly 0 on the epoch's last batch).
 *
 * <p>Rules of thumb: update/weight ratios around 1e-3 per step are healthy; a layer whose
 * gradient norm collapses towards 0 has stopped learning (exp 07 without BatchNorm); a dead-ReLU
 * fraction near 1 means the layer passes almost nothing on.
 */
public final class TrainingHealth {
    /** One row: a layer tensor's figures for one epoch (NaN where a figure does not apply). */
    public record Row(int epoch, String name, double gradNorm, double updateRatio, double bnDrift, double deadRelu) {}

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, double[]> start = new LinkedHashMap<>();
    private final Map<String, Double> gradSum = new LinkedHashMap<>();
    private final Map<String, Double> deadRelu = new LinkedHashMap<>();
    private int steps;

    void startEpoch(Module model) {
        start.clear();
        gradSum.clear();
        deadRelu.clear();
        steps = 0;
        model.stateDict().forEach((k, v) -> start.put(k, v.toDoubleArray()));
    }

    /** After backward of a step: gradient norms; on the epoch's last step also ReLU outputs. */
    void afterBackward(Module model, Tensor loss, boolean lastStep) {
        steps++;
        model.namedParameters().forEach((k, p) -> {
            if (p.grad() != null) {
                gradSum.merge(k, norm(p.grad().toDoubleArray()), Double::sum);
            }
        });
        if (lastStep) {
            for (Op op : Autograd.graph(loss)) {
                if (op.name().equals("Relu") && !op.scope().isEmpty()) {
                    double[] v = op.output().toDoubleArray();
                    int zeros = 0;
                    for (double d : v) {
                        zeros += d == 0 ? 1 : 0;
                    }
                    deadRelu.put(op.scope(), zeros / (double) Math.max(1, v.length));
                }
            }
        }
    }

    void endEpoch(Module model, int epoch) {
        try (GradMode ng = GradMode.noGrad()) {
            Map<String, Tensor> now = model.stateDict();
            for (Map.Entry<String, Tensor> e : now.entrySet()) {
                String k = e.getKey();
                double[] before = start.get(k);
                if (before == null || k.endsWith("num_batches_tracked")) {
                    continue;
                }
                double change = relativeChange(before, e.getValue().toDoubleArray());
                boolean bnStat = k.endsWith("running_mean") || k.endsWith("running_var");
                Double g = gradSum.get(k);
                rows.add(new Row(epoch, k, g == null ? Double.NaN : g / Math.max(1, steps), bnStat ? Double.NaN : change,
                        bnStat ? change : Double.NaN, Double.NaN));
            }
            deadRelu.forEach((scope, f) -> rows.add(new Row(epoch, scope + " (ReLU)", Double.NaN, Double.NaN, Double.NaN, f)));
        }
    }

    public List<Row> rows() {
        return rows;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static double relativeChange(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (b[i] - a[i]) * (b[i] - a[i]);
        }
        return Math.sqrt(d) / Math.max(norm(a), 1e-12);
    }

    /** The last epoch's rows as an HTML table (escaped), for the report. */
    public String lastEpochHtml(String expId, String expName) {
        int last = rows.stream().mapToInt(Row::epoch).max().orElse(-1);
        StringBuilder sb = new StringBuilder();
        sb.append("<h3>").append(esc(expId + " " + expName)).append(" — epoch ").append(last + 1).append("</h3>");
        sb.append("<table><tr><th>layer tensor</th><th>mean |grad|</th><th>update / weight</th><th>BN stat drift</th>"
                + "<th>dead-ReLU fraction</th></tr>");
        for (Row r : rows) {
            if (r.epoch() == last) {
                sb.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(fmt(r.gradNorm())).append("</td><td>")
                        .append(fmt(r.updateRatio())).append("</td><td>").append(fmt(r.bnDrift())).append("</td><td>")
                        .append(fmt(r.deadRelu())).append("</td></tr>");
            }
        }
        return sb.append("</table>").toString();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format("%.3g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
