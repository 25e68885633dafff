package org.gradlab.nn.data.sampling;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.Sampler;

/**
 * Class-balanced sampling with replacement: every epoch visits {@code length} indices, the same number from every
 * class present (floor(length / K), the remainder going to randomly chosen classes), each drawn uniformly with
 * replacement from that class's samples, then shuffled. A rare class is seen as often as the majority class.
 *
 * <p>NOTE: the per-class counts are fixed, not drawn (as PyTorch's WeightedRandomSampler with weights 1/count
 * would draw them): the balance holds in every epoch, not only on average.
 */
public final class BalancedSampler implements Sampler {
    private final int[][] byClass;
    private final int[] present;
    private final int length;
    private final long seed;

    /** @param length indices per epoch (usually the dataset size) */
    public BalancedSampler(int[] labels, int numClasses, int length, long seed) {
        if (length <= 0) {
            throw new IllegalArgumentException("balanced sampler: length must be positive, got " + length);
        }
        this.byClass = ClassIndex.byClass(labels, numClasses);
        int k = 0;
        for (int[] c : byClass) {
            k += c.length > 0 ? 1 : 0;
        }
        if (k == 0) {
            throw new IllegalArgumentException("balanced sampler: the dataset is empty");
        }
        this.present = new int[k];
        for (int c = 0, j = 0; c < byClass.length; c++) {
            if (byClass[c].length > 0) {
                present[j++] = c;
            }
        }
        this.length = length;
        this.seed = seed;
    }

    @Override
    public int[] indices(int epoch) {
        Generator g = new Generator(DataLoader.shuffleSeed(seed ^ 0xBA1A2CEDL, epoch));
        int k = present.length;
        int[] per = new int[k];
        java.util.Arrays.fill(per, length / k);
        int[] extra = ClassIndex.shuffle(range(k), g);
        for (int r = 0; r < length % k; r++) {
            per[extra[r]]++;
        }
        int[] out = new int[length];
        int at = 0;
        for (int j = 0; j < k; j++) {
            int[] members = byClass[present[j]];
            for (int m = 0; m < per[j]; m++) {
                out[at++] = members[g.nextInt(members.length)];
            }
        }
        return ClassIndex.shuffle(out, g);
    }

    @Override
    public int length() {
        return length;
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
