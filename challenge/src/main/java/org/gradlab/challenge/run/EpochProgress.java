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
    private double lr = Double.NaN;

    EpochProgress(String expId, int epoch, int epochs, int batches, PrintStream log) {
        this.label = String.format("exp %s epoch %d/%d", expId, epoch, epochs);
        this.log = log;
        this.bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName(label).setInitialMax(batches)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().setMaxRenderedLength(120)
                .continuousUpdate().build();
    }

    void step(int batchImages, double meanLoss, double lr) {
        images += batchImages;
        this.lr = lr;
        if (bar != null) {
            double secs = (System.nanoTime() - t0) / 1e9;
            bar.setExtraMessage(String.format("loss %.4f lr %.2e %.0f img/s", meanLoss, lr, images / Math.max(secs, 1e-9)));
            bar.step();
        }
    }

    /** Closes the bar and logs the epoch: loss, the lr it trained with, time, speed, and the ETA of the experiment. */
    void finish(double meanLoss, double seconds, double etaSeconds) {
        if (bar != null) {
            bar.close();
        }
        log.printf("  %s: loss %.4f, lr %.2e, %.1f s, %.0f images/s%s%n", label, meanLoss, lr, seconds,
                images / Math.max(seconds, 1e-9), etaSeconds > 0 ? ", ETA " + human(etaSeconds) : "");
    }

    /** Closes the live bar of an epoch that ends without finishing (a diverged experiment). */
    void abandon() {
        if (bar != null) {
            bar.close();
        }
    }

    static String human(double seconds) {
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        return d.toMinutes() > 0 ? d.toMinutes() + "m" + (d.toSecondsPart()) + "s" : String.format("%.1fs", seconds);
    }
}
