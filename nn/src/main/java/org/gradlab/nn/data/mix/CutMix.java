package org.gradlab.nn.data.mix;

import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;

/**
 * CutMix (Yun et al. 2019) as a batch transform: {@code lambda ~ Beta(alpha, alpha)}, a random
 * permutation {@code perm}, a box of about {@code (1 - lambda)} of the image area, and
 * {@code out_i = x_i} with the box pasted from {@code x_perm[i]}. The targets use the box's real
 * area: {@code lambda' = 1 - box area / (H W)}, soft targets
 * {@code lambda' onehot(y_i) + (1 - lambda') onehot(y_perm[i])}.
 *
 * <p>Box (the reference implementation's {@code rand_bbox}): {@code r = sqrt(1 - lambda)},
 * {@code cut_h = (int)(H r)}, {@code cut_w = (int)(W r)}, centre {@code cy} uniform in [0, H),
 * {@code cx} in [0, W); rows {@code clip(cy - cut_h/2, 0, H) .. clip(cy + cut_h/2, 0, H)}, columns
 * likewise (end exclusive; clipping at the border makes the box, and so lambda', smaller).
 * NOTE: draws lambda, then the permutation, then cy, then cx, all from {@code rng}.
 */
public final class CutMix implements BatchMix {
    private final double alpha;

    public CutMix(double alpha) {
        if (!(alpha > 0)) {
            throw new IllegalArgumentException("CutMix: expected alpha > 0, got " + alpha);
        }
        this.alpha = alpha;
    }

    /** Rows {@code row0 .. row1-1} and columns {@code col0 .. col1-1} (torch {@code x[:, :, row0:row1, col0:col1]}). */
    public record Box(int row0, int row1, int col0, int col1) {
        public int area() {
            return (row1 - row0) * (col1 - col0);
        }
    }

    @Override
    public MixedBatch apply(Tensor images, int[] labels, int numClasses, Generator rng) {
        int[] s = BatchMix.checkImages(images, labels);
        double lambda = BetaSampler.beta(alpha, alpha, rng);
        int[] perm = BatchMix.permutation(labels.length, rng);
        return paste(images, labels, numClasses, box(s[2], s[3], lambda, rng), perm);
    }

    /** The box for {@code lambda} on an {@code h x w} image, centre drawn from {@code rng}. */
    public static Box box(int h, int w, double lambda, Generator rng) {
        double r = Math.sqrt(1 - lambda);
        int cutH = (int) (h * r);
        int cutW = (int) (w * r);
        int cy = rng.nextInt(h);
        int cx = rng.nextInt(w);
        return new Box(clip(cy - cutH / 2, h), clip(cy + cutH / 2, h), clip(cx - cutW / 2, w), clip(cx + cutW / 2, w));
    }

    /** The deterministic part: pastes {@code box} of {@code x[perm]} into {@code x}; lambda' from the box area. */
    public static MixedBatch paste(Tensor images, int[] labels, int numClasses, Box box, int[] perm) {
        int[] s = BatchMix.checkImages(images, labels);
        BatchMix.checkPermutation(perm, labels.length);
        int n = s[0], c = s[1], h = s[2], w = s[3];
        if (box.row0 < 0 || box.row0 > box.row1 || box.row1 > h || box.col0 < 0 || box.col0 > box.col1 || box.col1 > w) {
            throw new IllegalArgumentException("CutMix: box " + box + " does not fit a " + h + "x" + w + " image");
        }
        double[] x = images.toDoubleArray();
        double[] out = x.clone();
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int dst = (i * c + ch) * h * w, src = (perm[i] * c + ch) * h * w;
                for (int y = box.row0; y < box.row1; y++) {
                    System.arraycopy(x, src + y * w + box.col0, out, dst + y * w + box.col0, box.col1 - box.col0);
                }
            }
        }
        double lambda = 1 - (double) box.area() / (h * w);
        Tensor mixed = Tensor.of(images.dtype(), images.device(), out, s);
        Tensor targets = Tensor.of(images.dtype(), images.device(), BatchMix.softTargets(labels, perm, lambda, numClasses), n, numClasses);
        return new MixedBatch(mixed, targets, lambda, perm);
    }

    private static int clip(int v, int hi) {
        return Math.max(0, Math.min(hi, v));
    }
}
