package org.gradlab.nn.data.mix;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;

/**
 * Mixup (Zhang et al. 2018) as a batch transform: {@code lambda ~ Beta(alpha, alpha)}, a random
 * permutation {@code perm} of the batch, {@code out_i = lambda x_i + (1 - lambda) x_perm[i]} and
 * soft targets {@code lambda onehot(y_i) + (1 - lambda) onehot(y_perm[i])}.
 *
 * <p>With the probability cross-entropy, {@code CE(logits, soft) = lambda CE(logits, y) +
 * (1 - lambda) CE(logits, y[perm])}: the usual two-term Mixup loss.
 * NOTE: draws lambda first, then the permutation, both from {@code rng}; the arithmetic runs in
 * float64 on the host and the result is rounded to the images' dtype (PyTorch computes in the
 * images' dtype: float32 results may differ by one rounding).
 */
public final class Mixup implements BatchMix {
    private final double alpha;

    public Mixup(double alpha) {
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("Mixup: expected alpha > 0, got " + alpha);
        }
        this.alpha = alpha;
    }

    @Override
    public MixedBatch apply(Tensor images, int[] labels, int numClasses, Generator rng) {
        double lambda = BetaSampler.beta(alpha, alpha, rng);
        int[] perm = BatchMix.permutation(labels.length, rng);
        return mix(images, labels, numClasses, lambda, perm);
    }

    /** The deterministic part: mixes with the given {@code lambda} and {@code perm}. */
    public static MixedBatch mix(Tensor images, int[] labels, int numClasses, double lambda, int[] perm) {
        int[] s = BatchMix.checkImages(images, labels);
        BatchMix.checkPermutation(perm, labels.length);
        int n = s[0], per = s[1] * s[2] * s[3];
        double[] x = images.toDoubleArray();
        double[] out = new double[x.length];
        for (int i = 0; i < n; i++) {
            int a = i * per, b = perm[i] * per;
            for (int j = 0; j < per; j++) {
                out[a + j] = lambda * x[a + j] + (1 - lambda) * x[b + j];
            }
        }
        Tensor mixed = Tensor.of(images.dtype(), images.device(), out, s);
        Tensor targets = Tensor.of(images.dtype(), images.device(), BatchMix.softTargets(labels, perm, lambda, numClasses), n, numClasses);
        return new MixedBatch(mixed, targets, lambda, perm);
    }
}
