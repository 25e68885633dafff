package org.gradlab.nn.data;

import static org.junit.jupiter.api.Assertions.*;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.transforms.RandomResizedCrop;
import org.gradlab.nn.data.transforms.RandomResizedCrop.Box;
import org.gradlab.nn.data.transforms.Resize;
import org.junit.jupiter.api.Test;

/** RandomResizedCrop's parameter sampling (ranges, the 10-try fallback to the center crop) and its output. */
class RandomResizedCropTest {
    private static Image pattern(int h, int w, int c) {
        byte[] px = new byte[h * w * c];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7 + i / 5);
        }
        return Image.wrap(h, w, c, px);
    }

    @Test
    void acceptedBoxesLieInsideAndFollowScaleAndRatio() {
        RandomResizedCrop t = new RandomResizedCrop(28);
        Generator g = new Generator(3);
        double minArea = 1, maxArea = 0;
        for (int k = 0; k < 4000; k++) {
            Box b = t.sampleBox(28, 28, g);
            assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= 28 && b.left() + b.width() <= 28, b.toString());
            double area = b.height() * b.width() / (28.0 * 28.0);
            double aspect = (double) b.width() / b.height();
            // rounding the sides to whole pixels moves area and aspect a little beyond [0.08, 1] and [3/4, 4/3]
            assertTrue(area > 0.05 && area <= 1, "area " + area + " " + b);
            assertTrue(aspect > 0.6 && aspect < 1.6, "aspect " + aspect + " " + b);
            minArea = Math.min(minArea, area);
            maxArea = Math.max(maxArea, area);
        }
        assertTrue(minArea < 0.1 && maxArea > 0.9, "the scale range is covered: " + minArea + " .. " + maxArea);
    }

    /** Expected boxes from torchvision 0.14's {@code RandomResizedCrop.get_params} with scale (2, 3): no try fits. */
    @Test
    void afterTenRejectedTriesTheCenterCropWithTheAspectClamped() {
        RandomResizedCrop tooLarge = new RandomResizedCrop(0, 2.0, 3.0, 3.0 / 4.0, 4.0 / 3.0);
        assertEquals(new Box(0, 6, 20, 27), tooLarge.sampleBox(20, 40, new Generator(1)), "wide: keep the height");
        assertEquals(new Box(13, 0, 13, 10), tooLarge.sampleBox(40, 10, new Generator(1)), "tall: keep the width");
        assertEquals(new Box(0, 0, 28, 28), tooLarge.sampleBox(28, 28, new Generator(1)), "square: the whole image");
        // 10 / 0.8 = 12.5 rounds to even like Python's round: 12, not 13
        assertEquals(new Box(14, 0, 12, 10), new RandomResizedCrop(0, 2.0, 3.0, 0.8, 1.0).sampleBox(40, 10, new Generator(1)));
        // exactly 10 tries of two draws each were made before the fallback
        Generator g = new Generator(5);
        tooLarge.sampleBox(28, 28, g);
        Generator h = new Generator(5);
        for (int i = 0; i < 20; i++) {
            h.nextDouble();
        }
        assertEquals(h.nextLong(), g.nextLong());
    }

    @Test
    void outputIsTheCropResizedToSize() {
        Image img = pattern(20, 40, 3);
        RandomResizedCrop t = new RandomResizedCrop(16);
        Image out = t.apply(img, new Generator(11));
        assertEquals(16, out.height());
        assertEquals(16, out.width());
        assertEquals(3, out.channels());
        Box b = t.sampleBox(20, 40, new Generator(11));
        assertEquals(Resize.resize(RandomResizedCrop.crop(img, b), 16, 16), out, "crop, then Pillow's bilinear resize");
        Image same = new RandomResizedCrop(0).apply(pattern(28, 28, 1), new Generator(2));
        assertEquals(28, same.height(), "size 0 keeps the image's side");
        // the crop kernel copies exactly the box
        Image c = RandomResizedCrop.crop(img, new Box(3, 5, 2, 4));
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    assertEquals(img.get(3 + y, 5 + x, ch), c.get(y, x, ch));
                }
            }
        }
        // scale and ratio pinned to 1: the whole image, only resized
        assertEquals(Resize.resize(pattern(28, 28, 3), 20, 20),
                new RandomResizedCrop(20, 1.0, 1.0, 1.0, 1.0).apply(pattern(28, 28, 3), new Generator(4)));
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(16, 0.5, 0.2, 0.75, 1.33));
    }
}
