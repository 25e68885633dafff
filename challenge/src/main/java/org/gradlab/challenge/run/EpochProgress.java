package org.gradlab.challenge.run;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One epoch's progress: a live bar (loss, lr, images/s, ETA) on a terminal, one summary line per
 * epoch everywhere (logs, CI).
 */
final class EpochProgress {
    private final String label;
    private final PrintStream log;
    private final ProgressBar bar;
    private final long t0 = System.nanoTime();
    private long images;

    EpochProgress(String expId, int epoch, int epochs, int batches, PrintStream log) {
        this.label = String.format("exp %s epoch %d/%d", expId, epoch, epochs);
        this.log = log;
        this.bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName(label).setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().setMaxRenderedLength(120)
                .continuousUpdate().build();
    }

    void step(int batchImages, double meanLoss, double lr) {
        images += batchImages;
        if (bar != null) {
            double secs = (System.nanoTime() - t0) / 1e9;
            bar.setExtraMessage(String.format("loss %.4f lr %.2e %.0f img/s", meanLoss, lr, images / Math.max(secs, 1e-9)));
            bar.step();
        }
    }

    void finish(double meanLoss, double seconds) {
        if (bar != null) {
            bar.close();
        }
        log.printf("  %s: loss %.4f, %.1f s, %.0f images/s%n", label, meanLoss, seconds, images / Math.max(seconds, 1e-9));
    }

    static String human(double seconds) {
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + (d.toSecondsPart()) + "s" : String.format("%.1fs", seconds);
    }
}
