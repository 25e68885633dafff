package org.gradlab.challenge.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.gradlab.nn.data.transforms.RandomVerticalFlip;
import org.junit.jupiter.api.Test;

class TestTimeAugmentationTest {
    static Image random(int h, int w, int c, long seed) {
        Generator g = new Generator(seed);
        byte[] b = new byte[h * w * c];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) g.nextInt(256);
        }
        return Image.wrap(h, w, c, b);
    }

    @Test
    void theEightViewsAreTheRotationsAndTheirMirrorsExactly() {
        for (int side : new int[] {5, 6}) {
            Image img = random(side, side, 3, side);
            List<UnaryOperator<Image>> views = TestTimeAugmentation.views(true, true);
            assertEquals(8, views.size());
            for (int r = 0; r < 4; r++) {
                Image rotated = RandomRotation.rotate(img, 90.0 * r);   // PIL rotate: counter-clockwise
                assertEquals(rotated, views.get(r).apply(img), "view " + r + " = rotate " + 90 * r);
                assertEquals(RandomHorizontalFlip.hflip(rotated), views.get(4 + r).apply(img),
                        "view " + (4 + r) + " = hflip(rotate " + 90 * r + ")");
            }
            Set<Image> distinct = new HashSet<>();
            views.forEach(v -> distinct.add(v.apply(img)));
            assertEquals(8, distinct.size(), "a generic image has 8 different views");
        }
    }

    @Test
    void theEightViewsContainTheFlipsAndTheTransposes() {
        Image img = random(4, 4, 1, 9);
        Set<Image> views = new HashSet<>();
        TestTimeAugmentation.views(true, true).forEach(v -> views.add(v.apply(img)));
        Image h = RandomHorizontalFlip.hflip(img);
        Image v = RandomVerticalFlip.vflip(img);
        byte[] t = new byte[16];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                t[y * 4 + x] = img.pixels()[x * 4 + y];
            }
        }
        Image transpose = Image.wrap(4, 4, 1, t);
        for (Image e : List.of(img, h, v, RandomVerticalFlip.vflip(h), transpose, RandomHorizontalFlip.hflip(transpose),
                RandomVerticalFlip.vflip(transpose), RandomVerticalFlip.vflip(RandomHorizontalFlip.hflip(transpose)))) {
            assertEquals(true, views.contains(e));
        }
    }

    @Test
    void flipsOnlyAreIdentityHorizontalVerticalAndBoth() {
        Image img = random(3, 7, 3, 2);   // flips need no square
        List<Image> got = new ArrayList<>();
        TestTimeAugmentation.views(true, false).forEach(v -> got.add(v.apply(img)));
        assertEquals(List.of(img, RandomHorizontalFlip.hflip(img), RandomVerticalFlip.vflip(img),
                RandomVerticalFlip.vflip(RandomHorizontalFlip.hflip(img))), got);
        assertEquals(1, TestTimeAugmentation.views(false, false).size());
        assertEquals(4, TestTimeAugmentation.views(false, true).size());
        assertThrows(IllegalArgumentException.class, () -> TestTimeAugmentation.dihedral(img, 1));
    }

    @Test
    void probabilitiesAreAveragedOverViews() {
        double[][] a = {{0.8, 0.2}, {0.1, 0.9}};
        double[][] b = {{0.6, 0.4}, {0.3, 0.7}};
        double[][] m = TestTimeAugmentation.average(List.of(a, b));
        assertArrayEquals(new double[] {0.7, 0.3}, m[0], 1e-15);
        assertArrayEquals(new double[] {0.2, 0.8}, m[1], 1e-15);
    }
}
