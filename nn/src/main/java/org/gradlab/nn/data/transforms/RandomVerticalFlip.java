package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/** With probability p, mirrors top-bottom: out(y, x) = in(H-1-y, x). */
public final class RandomVerticalFlip implements Transform {
    private final double p;

    public RandomVerticalFlip(double p) {
        this.p = p;
    }

    @Override
    public Image apply(Image img, Generator rng) {
        return rng.nextDouble() < p ? vflip(img) : img;
    }

    public static Image vflip(Image img) {
        int h = img.height(), rowLen = img.width() * img.channels();
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < h; y++) {
            System.arraycopy(in, (h - 1 - y) * rowLen, out, y * rowLen, rowLen);
        }
        return Image.wrap(h, img.width(), img.channels(), out);
    }
}
