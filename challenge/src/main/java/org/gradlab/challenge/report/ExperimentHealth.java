package org.gradlab.challenge.report;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything the training-health section shows for one experiment.
 *
 * @param id          experiment id ({@code 08})
 * @param name        experiment name
 * @param rows        per tensor and epoch, in recording order
 * @param trainInputs statistics of the training batches of the last epoch, as the model saw them; null if unknown
 * @param valInputs   statistics of the validation images, as the model sees them in evaluation; null if unknown
 * @param saved       the saved-tensor ledger of one training step; null if not measured
 */
public record ExperimentHealth(String id, String name, List<HealthRow> rows, ChannelStats trainInputs,
                               ChannelStats valInputs, SavedForBackward saved) {
    /** CSV header of {@link #toCsv()}. */
    public static final String CSV_HEADER = "epoch,tensor,grad_norm,update_ratio,bn_drift,dead_relu,relu_rms";

    /** Copies the rows. */
    public ExperimentHealth {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        rows = List.copyOf(rows);
    }

    /** The last epoch that has rows (0-based), or -1. */
    public int lastEpoch() {
        return rows.stream().mapToInt(HealthRow::epoch).max().orElse(-1);
    }

    /** The rows as CSV (epochs 1-based, empty cells where a figure does not apply). */
    public String toCsv() {
        List<List<String>> cells = new java.util.ArrayList<>(rows.size());
        for (HealthRow r : rows) {
            cells.add(List.of(String.valueOf(r.epoch() + 1), r.name(), cell(r.gradNorm()), cell(r.updateRatio()),
                    cell(r.bnDrift()), cell(r.deadRelu()), cell(r.reluRms())));
        }
        return Csv.write(List.of(CSV_HEADER.split(",")), cells);
    }

    private static String cell(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "";
    }
}
