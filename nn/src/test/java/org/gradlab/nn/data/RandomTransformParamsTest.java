package org.gradlab.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.gradlab.engine.Generator;
import org.gradlab.nn.data.transforms.ColorJitter;
import org.gradlab.nn.data.transforms.RandomAffine;
import org.gradlab.nn.data.transforms.RandomErasing;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.junit.jupiter.api.Test;

/** Statistical checks (fixed seeds) that random transforms draw their parameters from the documented ranges. */
class RandomTransformParamsTest {
    private static final int N = 4000;

    @Test
    void rotationAnglesCoverTheRange() {
        RandomRotation r = new RandomRotation(15);
        Generator g = new Generator(7);
        double min = 1e9, max = -1e9, sum = 0;
        for (int i = 0; i < N; i++) {
            double a = r.sampleAngle(g);
            assertTrue(a >= -15 && a <= 15, "angle " + a);
            min = Math.min(min, a);
            max = Math.max(max, a);
            sum += a;
        }
        assertTrue(min < -14.5 && max > 14.5, "range covered: " + min + " .. " + max);
        assertEquals(0, sum / N, 0.5, "mean angle");
    }

    @Test
    void affineTranslationsAreIntegersWithinBounds() {
        RandomAffine t = new RandomAffine(10, 0.1, 0.2, 0.9, 1.1);
        Generator g = new Generator(8);
        Set<Integer> txs = new HashSet<>(), tys = new HashSet<>();
        for (int i = 0; i < N; i++) {
            RandomAffine.Params p = t.sample(28, 30, g);   // max |tx| = 3.0, max |ty| = 5.6
            assertTrue(Math.abs(p.tx()) <= 3 && Math.abs(p.ty()) <= 6, p.toString());
            assertTrue(Math.abs(p.angle()) <= 10 && p.scale() >= 0.9 && p.scale() <= 1.1, p.toString());
            txs.add(p.tx());
            tys.add(p.ty());
        }
        assertEquals(Set.of(-3, -2, -1, 0, 1, 2, 3), txs);
        assertEquals(Set.of(-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6), tys);
    }

    @Test
    void flipProbability() {
        RandomHorizontalFlip f = new RandomHorizontalFlip(0.3);
        Image img = Image.wrap(1, 2, 1, new byte[] {1, 2});
        Generator g = new Generator(9);
        int flipped = 0;
        for (int i = 0; i < N; i++) {
            if (f.apply(img, g).get(0, 0, 0) == 2) {
                flipped++;
            }
        }
        assertEquals(0.3, flipped / (double) N, 0.03);
    }

    @Test
    void colorJitterFactorsAndOrder() {
        ColorJitter cj = new ColorJitter(0.4, 0.2, 1.5, 0.1);
        Generator g = new Generator(10);
        Set<String> orders = new HashSet<>();
        for (int i = 0; i < N; i++) {
            ColorJitter.Params p = cj.sample(g);
            assertTrue(p.brightness() >= 0.6 && p.brightness() <= 1.4);
            assertTrue(p.contrast() >= 0.8 && p.contrast() <= 1.2);
            assertTrue(p.saturation() >= 0 && p.saturation() <= 2.5);
            assertTrue(Math.abs(p.hue()) <= 0.1);
            int[] s = p.order().clone();
            Arrays.sort(s);
            assertEquals("[0, 1, 2, 3]", Arrays.toString(s));
            orders.add(Arrays.toString(p.order()));
        }
        assertEquals(24, orders.size(), "all 4! orders occur");
    }

    @Test
    void erasingBoxesStayInsideAndMatchScale() {
        RandomErasing e = new RandomErasing(1.0, 0.02, 0.33, 0.3, 3.3, 0f);
        Generator g = new Generator(11);
        for (int i = 0; i < N; i++) {
            RandomErasing.Box b = e.sampleBox(28, 28, g);
            assertNotNull(b);
            assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= 28 && b.left() + b.width() <= 28, b.toString());
            assertTrue(b.height() < 28 && b.width() < 28);
            double frac = b.height() * b.width() / 784.0;
            assertTrue(frac < 0.45, "area fraction " + frac);
        }
        float[] buf = new float[2 * 4 * 5];
        Arrays.fill(buf, 1f);
        RandomErasing.erase(buf, 0, 2, 4, 5, new RandomErasing.Box(1, 2, 2, 3), 0f);
        int zeros = 0;
        for (float v : buf) {
            zeros += v == 0f ? 1 : 0;
        }
        assertEquals(12, zeros);
        assertEquals(0f, buf[20 + 2 * 5 + 4]);
        assertEquals(1f, buf[20 + 3 * 5 + 1]);
    }

    @Test
    void rotationKeepsShapeAndExactQuarterTurns() {
        byte[] px = new byte[3 * 3];
        for (int i = 0; i < 9; i++) {
            px[i] = (byte) i;
        }
        Image img = Image.wrap(3, 3, 1, px);
        Image r90 = RandomRotation.rotate(img, 90);   // counter-clockwise: top row becomes left column
        assertEquals(2, r90.get(0, 0, 0));
        assertEquals(0, r90.get(2, 0, 0));
        Image r180 = RandomRotation.rotate(img, -180);
        assertEquals(8, r180.get(0, 0, 0));
        assertEquals(img, RandomRotation.rotate(img, 360));
    }
}
