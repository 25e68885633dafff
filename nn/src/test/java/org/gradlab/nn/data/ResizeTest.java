package org.gradlab.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.gradlab.nn.data.transforms.Grayscale;
import org.gradlab.nn.data.transforms.Resize;
import org.junit.jupiter.api.Test;

/** Downsampling (not in the fixtures): Pillow's triangle filter is stretched by the scale. */
class ResizeTest {
    @Test
    void halvingAWidthUsesTheStretchedTriangle() {
        // 4 -> 2: scale 2, support 2. Output 0 (centre 1) reads x = 0,1,2 with tri((x - 0.5)/2) =
        // 0.75, 0.75, 0.25 -> 3/7, 3/7, 1/7; output 1 (centre 3) reads x = 1,2,3 with 1/7, 3/7, 3/7.
        Image in = Image.wrap(1, 4, 1, new byte[] {0, 70, (byte) 140, (byte) 210});
        Image out = Resize.resize(in, 1, 2);
        // (0*3 + 70*3 + 140) / 7 = 50; (70 + 140*3 + 210*3) / 7 = 160
        assertArrayEquals(new byte[] {50, (byte) 160}, out.pixels());
    }

    @Test
    void sameSizeIsTheInputAndBadSizesAreRejected() {
        Image in = Image.blank(5, 6, 3);
        assertSame(in, Resize.resize(in, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> new Resize(0));
        assertThrows(IllegalArgumentException.class, () -> new Grayscale(2));
    }
}
