package org.gradlab.challenge.run;

import org.gradlab.challenge.study.StudyExperiment;
import org.gradlab.engine.Generator;

/**
 * Mixup and CutMix on one training batch (N, C, H, W), as timm's Mixup does per batch: with probability
 * {@code prob} the batch is mixed; when both alphas are positive, CutMix and Mixup are chosen half and half.
 * <ul>
 *   <li>Mixup: λ ~ Beta(α, α); x' = λ x + (1 − λ) x[perm]</li>
 *   <li>CutMix: λ ~ Beta(α, α); a box of side √(1 − λ) of the image, centred uniformly and clipped to the image, is
 *       copied from x[perm]; λ becomes 1 − (box area / image area)</li>
 * </ul>
 * The loss is then λ·CE(logits, y) + (1 − λ)·CE(logits, y[perm]) (cross-entropy is linear in the target, so this
 * equals the cross-entropy against the mixed one-hot targets).
 */
final class BatchMix {
    /** A mixed batch: images, the partner of each image, and the weight of the image's own label. */
    record Mixed(float[] images, int[] partner, double lambda) {}

    private final StudyExperiment.Mix mix;

    BatchMix(StudyExperiment.Mix mix) {
        this.mix = mix;
    }

    /** Mixes {@code x} in place, or returns null when this batch is left as it is. */
    Mixed apply(float[] x, int n, int c, int h, int w, Generator rng) {
        if (!mix.active() || n < 2 || rng.nextDouble() >= mix.prob()) {
            return null;
        }
        boolean cutmix = mix.cutmixAlpha() > 0 && (mix.mixupAlpha() <= 0 || rng.nextDouble() < 0.5);
        double lambda = beta(cutmix ? mix.cutmixAlpha() : mix.mixupAlpha(), rng);
        int[] perm = permutation(n, rng);
        int size = c * h * w;
        float[] src = x.clone();
        if (!cutmix) {
            for (int i = 0; i < n; i++) {
                int a = i * size;
                int b = perm[i] * size;
                for (int k = 0; k < size; k++) {
                    x[a + k] = (float) (lambda * src[a + k] + (1 - lambda) * src[b + k]);
                }
            }
            return new Mixed(x, perm, lambda);
        }
        double cut = Math.sqrt(1 - lambda);
        int bh = (int) (h * cut);
        int bw = (int) (w * cut);
        int cy = rng.nextInt(h);
        int cx = rng.nextInt(w);
        int y0 = Math.max(0, cy - bh / 2), y1 = Math.min(h, cy + bh / 2);
        int x0 = Math.max(0, cx - bw / 2), x1 = Math.min(w, cx + bw / 2);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = y0; y < y1; y++) {
                    int a = ((i * c + ch) * h + y) * w;
                    int b = ((perm[i] * c + ch) * h + y) * w;
                    System.arraycopy(src, b + x0, x, a + x0, x1 - x0);
                }
            }
        }
        double kept = 1 - (double) (y1 - y0) * (x1 - x0) / (h * w);
        return new Mixed(x, perm, kept);
    }

    private static int[] permutation(int n, Generator rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Beta(α, α) as X / (X + Y) with X, Y ~ Gamma(α, 1). */
    static double beta(double alpha, Generator rng) {
        double x = gamma(alpha, rng);
        double y = gamma(alpha, rng);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /** Marsaglia-Tsang Gamma(α, 1); for α < 1 boosted by U^(1/α). */
    static double gamma(double alpha, Generator rng) {
        if (alpha < 1) {
            return gamma(alpha + 1, rng) * Math.pow(Math.max(rng.nextDouble(), 1e-300), 1 / alpha);
        }
        double d = alpha - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rng.nextGaussian();
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(Math.max(u, 1e-300)) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
