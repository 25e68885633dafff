package org.gradlab.challenge.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.gradlab.nn.data.Image;

/**
 * Test-time augmentation by the symmetries of the square (the SIIM-ISIC winners' "orientation averaging"): a model
 * scores every view of an image and the class probabilities are averaged. A lesion has no up or left, so every view
 * is as valid as the original.
 *
 * <p>Views, as {@link #dihedral(Image, int)} numbers them (r quarter turns counter-clockwise, then a left-right
 * mirror when {@code k >= 4}):
 * <ul>
 *   <li>{@code flips + rot90}: all 8 — the identity, 90°, 180°, 270°, and each of those mirrored (the transpose and
 *       anti-transpose among them);</li>
 *   <li>{@code flips} only: 4 — identity, horizontal flip, vertical flip (= 180° mirrored), both (= 180°);</li>
 *   <li>{@code rot90} only: 4 — the four rotations;</li>
 *   <li>neither: the identity alone.</li>
 * </ul>
 * NOTE: a quarter turn of a non-square image changes its shape; the 90° and 270° views need square images
 * (MedMNIST's are); the half turn and the flips take any shape.
 */
public final class TestTimeAugmentation {
    private TestTimeAugmentation() {}

    /** The dihedral element numbers of the chosen views, in order. */
    public static int[] viewNumbers(boolean flips, boolean rot90) {
        if (flips && rot90) {
            return new int[] {0, 1, 2, 3, 4, 5, 6, 7};
        }
        if (flips) {
            return new int[] {0, 4, 6, 2};   // identity, hflip, vflip (= hflip∘rot180), rot180 (= both flips)
        }
        if (rot90) {
            return new int[] {0, 1, 2, 3};
        }
        return new int[] {0};
    }

    /** The views as image functions. */
    public static List<UnaryOperator<Image>> views(boolean flips, boolean rot90) {
        List<UnaryOperator<Image>> out = new ArrayList<>();
        for (int k : viewNumbers(flips, rot90)) {
            out.add(img -> dihedral(img, k));
        }
        return out;
    }

    /**
     * Dihedral element {@code k} (0..7) of {@code img}: {@code k % 4} quarter turns counter-clockwise, then, when
     * {@code k >= 4}, a left-right mirror. With n = the side: one quarter turn is out(y, x) = in(x, n−1−y); the mirror
     * is out(y, x) = in(y, n−1−x).
     */
    public static Image dihedral(Image img, int k) {
        if (k < 0 || k > 7) {
            throw new IllegalArgumentException("dihedral view: expected 0..7, got " + k);
        }
        if (k == 0) {
            return img;
        }
        int h = img.height();
        int w = img.width();
        int c = img.channels();
        if (k % 2 == 1 && h != w) {
            throw new IllegalArgumentException("dihedral view " + k + " turns by 90 degrees: expected a square image, got " + img);
        }
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        int turns = k % 4;
        boolean mirror = k >= 4;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sx = mirror ? w - 1 - x : x;   // mirror last: read the rotated image at (y, sx)
                int sy = y;
                if (turns == 2) {                  // half turn (any shape): rotated(y, x) = in(h-1-y, w-1-x)
                    sy = h - 1 - sy;
                    sx = w - 1 - sx;
                } else {
                    for (int t = 0; t < turns; t++) {  // undo one quarter turn: rotated(y, x) = in(x, n-1-y)
                        int ny = sx;
                        int nx = h - 1 - sy;
                        sy = ny;
                        sx = nx;
                    }
                }
                System.arraycopy(in, (sy * w + sx) * c, out, (y * w + x) * c, c);
            }
        }
        return Image.wrap(h, w, c, out);
    }

    /** The mean of per-view probability tables (view × sample × class). */
    public static double[][] average(List<double[][]> perView) {
        return Ensembles.mean(perView);
    }
}
