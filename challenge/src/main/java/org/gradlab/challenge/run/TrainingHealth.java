package org.gradlab.challenge.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gradlab.challenge.report.ChannelStats;
import org.gradlab.challenge.report.ExperimentHealth;
import org.gradlab.challenge.report.HealthRow;
import org.gradlab.challenge.report.SavedForBackward;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.autograd.Autograd;
import org.gradlab.engine.autograd.GradMode;
import org.gradlab.engine.autograd.Op;
import org.gradlab.engine.inspect.SavedTensorLedger;
import org.gradlab.nn.Module;

/**
 * Training health per layer and epoch: mean gradient norm over the epoch's steps, the
 * update/weight ratio ||w_end - w_start|| / ||w_start||, BatchNorm running-statistic drift
 * ||r_end - r_start|| / max(||r_start||, ||r_end||), the dead-ReLU fraction (share of a ReLU's
 * outputs that are exactly 0 on the epoch's last batch) and the RMS of those outputs. Also the per-channel statistics of the training
 * inputs of the last epoch, and the saved-tensor ledger of the first step.
 *
 * <p>Rules of thumb: update/weight ratios around 1e-3 per step are healthy; a layer whose
 * gradient norm collapses towards 0 has stopped learning; a dead-ReLU fraction near 1 means the
 * layer passes almost nothing on.
 */
public final class TrainingHealth {
    /** The ledger's name for ops that ran outside any module (the loss). */
    private static final String NO_MODULE = "(no module)";
    /**
     * The ops whose output is a ReLU's: ReLU itself and batch norm then ReLU in one op (the
     * challenge CNNs' and ResNet's BatchNorm2d layers built with {@code thenRelu}; their row
     * carries the batch-norm layer's name).
     */
    private static final Set<String> RELU_OPS = Set.of("Relu", "BatchNormRelu");
    private final List<HealthRow> rows = new ArrayList<>();
    private final Map<String, double[]> start = new LinkedHashMap<>();
    private final Map<String, Double> gradSum = new LinkedHashMap<>();
    /** Per ReLU layer: dead fraction and output RMS on the epoch's last batch. */
    private final Map<String, double[]> relus = new LinkedHashMap<>();
    private InputStatistics inputs = new InputStatistics();
    private SavedForBackward saved;
    private int steps;

    void startEpoch(Module model) {
        start.clear();
        gradSum.clear();
        relus.clear();
        inputs = new InputStatistics();
        steps = 0;
        model.stateDict().forEach((k, v) -> start.put(k, v.toDoubleArray()));
    }

    /** After the forward pass of a step: the inputs' statistics; on the run's first step the saved-tensor ledger. */
    void afterForward(Tensor images, Tensor loss) {
        inputs.add(images);
        if (saved == null) {
            saved = savedForBackward(SavedTensorLedger.of(loss), images.shape()[0]);
        }
    }

    /**
     * After backward of a step: gradient norms; on the epoch's last step also ReLU outputs. Returns the name of the
     * first parameter whose gradient norm is not finite (a NaN or infinity in that gradient), or null: the trainer's
     * divergence check, free because the norms are computed anyway.
     */
    String afterBackward(Module model, Tensor loss, boolean lastStep) {
        steps++;
        String nonFinite = null;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            Tensor g = e.getValue().grad();
            if (g != null) {
                double n = norm(g.toDoubleArray());
                gradSum.merge(e.getKey(), n, Double::sum);
                if (nonFinite == null && !Double.isFinite(n)) {
                    nonFinite = e.getKey();
                }
            }
        }
        if (lastStep) {
            List<Op> graph = Autograd.graph(loss);
            for (int i = graph.size() - 1; i >= 0; i--) { // forward order, first layer first
                Op op = graph.get(i);
                if (RELU_OPS.contains(op.name()) && !op.scope().isEmpty()) {
                    double[] v = op.output().toDoubleArray();
                    int zeros = 0;
                    double sq = 0;
                    for (double d : v) {
                        zeros += d == 0 ? 1 : 0;
                        sq += d * d;
                    }
                    int n = Math.max(1, v.length);
                    relus.put(op.scope(), new double[] {zeros / (double) n, Math.sqrt(sq / n)});
                }
            }
        }
        return nonFinite;
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
                double[] after = e.getValue().toDoubleArray();
                boolean bnStat = k.endsWith("running_mean") || k.endsWith("running_var");
                Double g = gradSum.get(k);
                rows.add(HealthRow.tensor(epoch, k, g == null ? Double.NaN : g / Math.max(1, steps),
                        bnStat ? Double.NaN : relativeChange(before, after),
                        bnStat ? drift(before, after) : Double.NaN));
            }
            relus.forEach((scope, f) -> rows.add(HealthRow.relu(epoch, scope, f[0], f[1])));
        }
    }

    /** The ledger's per-layer bytes with the ops that ran in each layer, for the report. */
    static SavedForBackward savedForBackward(SavedTensorLedger ledger, int batch) {
        Map<String, Set<String>> ops = new LinkedHashMap<>();
        for (SavedTensorLedger.Entry e : ledger.entries()) {
            ops.computeIfAbsent(e.scope().isEmpty() ? NO_MODULE : e.scope(), k -> new LinkedHashSet<>()).add(e.op());
        }
        List<SavedForBackward.Layer> layers = new ArrayList<>();
        ledger.perLayer().forEach((layer, bytes) ->
                layers.add(new SavedForBackward.Layer(layer, List.copyOf(ops.getOrDefault(layer, Set.of())), bytes)));
        return new SavedForBackward(batch, layers, ledger.totalBytes(), ledger.peakBytes());
    }

    public List<HealthRow> rows() {
        return rows;
    }

    /** Per-channel statistics of the training inputs of the last (or current) epoch; null before any step. */
    public ChannelStats trainInputs() {
        return inputs.stats();
    }

    /** The ledger of the first step; null before any step. */
    public SavedForBackward saved() {
        return saved;
    }

    /** Everything recorded, with the validation inputs' statistics, for the report. */
    public ExperimentHealth report(String id, String name, ChannelStats valInputs) {
        return new ExperimentHealth(id, name, rows, trainInputs(), valInputs, saved);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** ||b - a|| / ||a||: how far a weight tensor moved relative to its size. */
    static double relativeChange(double[] a, double[] b) {
        return distance(a, b) / Math.max(norm(a), 1e-12);
    }

    /**
     * ||b - a|| / max(||a||, ||b||): the drift of a running statistic. Relative to the larger norm because a
     * running mean starts at exactly 0 (the first epoch then reads 1, "replaced", instead of dividing by 0).
     */
    static double drift(double[] a, double[] b) {
        return distance(a, b) / Math.max(Math.max(norm(a), norm(b)), 1e-12);
    }

    private static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (b[i] - a[i]) * (b[i] - a[i]);
        }
        return Math.sqrt(d);
    }
}
