package org.gradlab.challenge.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;

/**
 * A generated dataset in the DermaMNIST layout (28x28 RGB, 7 classes, imbalanced like DermaMNIST)
 * for end-to-end tests that must run without the real file. Each class has its own mean colour and
 * a brighter 8x8 patch at its own place; Gaussian noise (sigma 48) makes single pixels ambiguous,
 * so a model must learn to reach a high AUC, and a small one does within one epoch.
 */
public final class SyntheticMedMnist {
    /** Class shares roughly as in DermaMNIST's train split (nv dominates). */
    private static final double[] SHARES = {0.05, 0.07, 0.12, 0.04, 0.12, 0.55, 0.05};

    private SyntheticMedMnist() {
    }

    /** Writes {@code dir/synthetic_dermamnist.npz} with the given split sizes; the same seed gives the same file. */
    public static Path write(Path dir, int train, int val, int test, long seed) throws IOException {
        Random rnd = new Random(seed);
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        int[] sizes = {train, val, test};
        for (int s = 0; s < 3; s++) {
            int n = sizes[s];
            byte[] images = new byte[n * 28 * 28 * 3];
            long[] labels = new long[n];
            for (int i = 0; i < n; i++) {
                int c = i < 7 ? i : pickClass(rnd); // every class occurs in every split
                labels[i] = c;
                draw(images, i, c, rnd);
            }
            arrays.put(MedMnist.SPLITS.get(s) + "_images", NpyArray.ofBytes(new int[] {n, 28, 28, 3}, images));
            arrays.put(MedMnist.SPLITS.get(s) + "_labels", NpyArray.ofLongs(new int[] {n, 1}, labels));
        }
        Path file = dir.resolve("synthetic_dermamnist.npz");
        Npz.write(file, arrays, true);
        return file;
    }

    private static int pickClass(Random rnd) {
        double u = rnd.nextDouble();
        for (int c = 0; c < SHARES.length; c++) {
            u -= SHARES[c];
            if (u < 0) {
                return c;
            }
        }
        return SHARES.length - 1;
    }

    private static void draw(byte[] images, int i, int c, Random rnd) {
        int[] colour = {90 + 20 * (c % 3), 80 + 15 * ((c + 1) % 4), 70 + 12 * c};
        int py = 4 + 6 * (c / 3);
        int px = 4 + 7 * (c % 3);
        int base = i * 28 * 28 * 3;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                boolean patch = y >= py && y < py + 8 && x >= px && x < px + 8;
                for (int ch = 0; ch < 3; ch++) {
                    double v = colour[ch] + (patch ? 60 : 0) + 48 * rnd.nextGaussian();
                    images[base + (y * 28 + x) * 3 + ch] = (byte) Math.max(0, Math.min(255, Math.round(v)));
                }
            }
        }
    }
}
