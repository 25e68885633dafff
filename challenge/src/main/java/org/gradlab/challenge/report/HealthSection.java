package org.gradlab.challenge.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.gradlab.engine.inspect.Bytes;

/**
 * The training-health section of one experiment in {@code report.html}: the inputs as the model saw them (training
 * vs validation, with a warning when they were preprocessed differently), the health charts (embedded, and
 * written to {@code charts/}), the memory one training step keeps for backward per layer, and the per-tensor
 * figures of the last epoch.
 */
public final class HealthSection {
    /** Title prefix of every health section. */
    public static final String TITLE = "Training health: exp ";

    private HealthSection() {
    }

    /** Renders the charts into {@code outDir/charts/} and returns the section for {@link ChallengeReport#addSection}. */
    public static ReportSection of(ExperimentHealth h, Path outDir) {
        List<ChartImage> charts = HealthCharts.render(h, outDir);
        StringBuilder s = new StringBuilder(32 * 1024);
        s.append("<p class=\"muted\">").append(esc(h.id() + " " + h.name())).append(": per layer and epoch, how "
                + "training went (guides: <code>docs/why-batchnorm-rescues-the-deep-model.md</code>, "
                + "<code>docs/normalising-only-the-training-data.md</code>).</p>\n");
        inputs(s, h);
        if (!charts.isEmpty()) {
            s.append("<div class=\"hgrid\">\n");
            for (ChartImage c : charts) {
                s.append("<figure><img alt=\"").append(esc(c.title())).append("\" src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(read(c.file()))).append("\"><figcaption>")
                        .append(esc(c.caption())).append("</figcaption></figure>\n");
            }
            s.append("</div>\n");
        }
        ledger(s, h.saved());
        lastEpochTable(s, h);
        return new ReportSection(TITLE + h.id(), s.toString());
    }

    private static void inputs(StringBuilder s, ExperimentHealth h) {
        if (h.trainInputs() == null || h.valInputs() == null) {
            return;
        }
        ChannelStats tr = h.trainInputs();
        ChannelStats va = h.valInputs();
        if (tr.mismatches(va)) {
            s.append("<p class=\"warn\"><b>Training and validation inputs differ.</b> The training batches' channel "
                    + "means sit up to ").append(num(tr.meanShiftInStds(va), 1)).append(" validation standard "
                    + "deviations away from the validation images' (standard deviations differ up to ")
                    .append(num(tr.stdRatio(va), 1)).append("×): the two were preprocessed differently, so what the "
                    + "model learned does not apply to what it is evaluated on.</p>\n");
        }
        s.append("<table class=\"health\"><caption>Inputs as the model receives them, per channel</caption>")
                .append("<tr><th>split</th><th>mean</th><th>std</th></tr>")
                .append("<tr><td>training batches (last epoch)</td><td>").append(list(tr.mean())).append("</td><td>")
                .append(list(tr.std())).append("</td></tr>")
                .append("<tr><td>validation (evaluation transform)</td><td>").append(list(va.mean()))
                .append("</td><td>").append(list(va.std())).append("</td></tr></table>\n");
    }

    private static void ledger(StringBuilder s, SavedForBackward saved) {
        if (saved == null) {
            return;
        }
        long max = saved.layers().stream().mapToLong(SavedForBackward.Layer::bytes).max().orElse(1);
        s.append("<table class=\"health ledger\"><caption>Saved for backward in one training step (batch ")
                .append(saved.batch()).append("): peak <b>").append(esc(Bytes.human(saved.peakBytes())))
                .append("</b></caption><tr><th>layer</th><th>ops</th><th>bytes saved</th><th></th></tr>");
        for (SavedForBackward.Layer l : saved.layers()) {
            double share = max <= 0 ? 0 : (double) l.bytes() / max;
            s.append("<tr><td>").append(esc(l.name())).append("</td><td class=\"ops\">")
                    .append(esc(String.join(", ", l.ops()))).append("</td><td>").append(esc(Bytes.human(l.bytes())))
                    .append("</td><td class=\"bar\"><span style=\"width:")
                    .append(String.format(Locale.ROOT, "%.1f", 100 * share)).append("%\"></span></td></tr>");
        }
        s.append("<tr class=\"sum\"><td colspan=\"2\">sum over ops</td><td>").append(esc(Bytes.human(saved.sumOverOps())))
                .append("</td><td class=\"muted\">a tensor two ops save counts twice</td></tr>")
                .append("<tr class=\"sum\"><td colspan=\"2\">peak (distinct tensors)</td><td>")
                .append(esc(Bytes.human(saved.peakBytes())))
                .append("</td><td class=\"muted\">all alive when backward starts</td></tr></table>\n");
    }

    private static void lastEpochTable(StringBuilder s, ExperimentHealth h) {
        int last = h.lastEpoch();
        s.append("<details><summary>Per-tensor figures, epoch ").append(last + 1).append("</summary>\n")
                .append("<table class=\"health\"><tr><th>layer tensor</th><th>mean |grad|</th>")
                .append("<th>update / weight</th><th>BN stat drift</th><th>dead-ReLU fraction</th><th>ReLU output RMS</th></tr>");
        for (HealthRow r : h.rows()) {
            if (r.epoch() == last) {
                s.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(sig(r.gradNorm()))
                        .append("</td><td>").append(sig(r.updateRatio())).append("</td><td>").append(sig(r.bnDrift()))
                        .append("</td><td>").append(sig(r.deadRelu())).append("</td><td>").append(sig(r.reluRms()))
                        .append("</td></tr>");
            }
        }
        s.append("</table></details>\n");
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chart " + file.toAbsolutePath(), e);
        }
    }

    private static String list(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(num(v[i], 3));
        }
        return sb.toString();
    }

    private static String num(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String sig(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3g", v) : "";
    }

    private static String esc(String s) {
        return Html.escape(s);
    }
}
