package org.gradlab.challenge.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic synthetic results for tests only: the published figures plus noise, internally consistent. */
final class SyntheticResults {
    /** DermaMNIST validation split class counts. */
    static final int[] VAL_COUNTS = {33, 52, 110, 12, 111, 671, 14};

    private SyntheticResults() {
    }

    static ResultsFile all(PublishedResults published, long seed) {
        Random rnd = new Random(seed);
        List<RunResult> runs = new ArrayList<>();
        for (PublishedRun p : published.all()) {
            runs.add(run(p, rnd));
        }
        return new ResultsFile(runs);
    }

    static RunResult run(PublishedRun p, Random rnd) {
        int n = Integer.parseInt(p.id());
        double auc = clamp(p.auc() + rnd.nextGaussian() * 0.02, 0.5, 0.99);
        double mel = clamp(p.melanomaRecall() + rnd.nextGaussian() * 0.05, 0, 1);
        SplitMetrics val = metrics(auc, mel, rnd, false);
        SplitMetrics test = metrics(clamp(auc - 0.01, 0.5, 0.99), clamp(mel - 0.02, 0, 1), rnd, true);
        int epochs = n >= 19 ? 15 : n >= 11 ? 10 : 5;
        double[] epochSeconds = new double[epochs];
        double total = 0;
        for (int e = 0; e < epochs; e++) {
            epochSeconds[e] = (n >= 23 ? 40 : 3) * (1 + 0.1 * rnd.nextDouble());
            total += epochSeconds[e];
        }
        long params = p.params() != null ? p.params() : n <= 5 ? 6887 : n <= 22 ? 94599 : 11180103;
        Boolean pretrained = n == 23 || n == 24 ? Boolean.FALSE : n == 25 ? Boolean.FALSE : null;
        return new RunResult(p.id(), p.name(), p.chapter(), "cpu", 42, epochs, params, total, epochSeconds,
                pretrained, n == 23 ? "trained from random init: ImageNet weights unavailable" : null, val, test);
    }

    static SplitMetrics metrics(double auc, double melRecall, Random rnd, boolean withCi) {
        int[][] cm = new int[Classes.COUNT][Classes.COUNT];
        double[] recall = new double[Classes.COUNT];
        double[] perAuc = new double[Classes.COUNT];
        int correct = 0;
        int total = 0;
        for (int c = 0; c < Classes.COUNT; c++) {
            double target = c == Classes.MELANOMA ? melRecall : c == 5 ? 0.9 + 0.08 * rnd.nextDouble() : rnd.nextDouble();
            int hit = (int) Math.round(target * VAL_COUNTS[c]);
            cm[c][c] = hit;
            int rest = VAL_COUNTS[c] - hit;
            for (int k = 0; k < rest; k++) {
                int other = c == 5 ? (c + 1 + rnd.nextInt(Classes.COUNT - 1)) % Classes.COUNT : 5;
                cm[c][other]++;
            }
            recall[c] = (double) hit / VAL_COUNTS[c];
            perAuc[c] = clamp(auc + rnd.nextGaussian() * 0.04, 0.4, 1.0);
            correct += hit;
            total += VAL_COUNTS[c];
        }
        double balanced = 0;
        for (double r : recall) {
            balanced += r;
        }
        double cancer = (recall[0] + recall[1] + recall[4]) / 3;
        int cancerImages = VAL_COUNTS[0] + VAL_COUNTS[1] + VAL_COUNTS[4];
        int asCancer = 0;
        for (int c : Classes.CANCERS) {
            for (int k : Classes.CANCERS) {
                asCancer += cm[c][k];
            }
        }
        SplitMetrics m = new SplitMetrics(auc, (double) correct / total, balanced / Classes.COUNT, recall[4], cancer,
                (double) asCancer / cancerImages, recall, perAuc, cm);
        return withCi ? m.withIntervals(new double[]{auc - 0.02, Math.min(1, auc + 0.02)},
                new double[]{Math.max(0, recall[4] - 0.1), Math.min(1, recall[4] + 0.1)}) : m;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
