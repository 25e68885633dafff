package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/** With probability p, mirrors left-right: out(y, x) = in(y, W-1-x) (torchvision {@code rand < p}). */
public final class RandomHorizontalFlip implements Transform {
    private final double p;

    public RandomHorizontalFlip(double p) {
        this.p = p;
    }

    @Override
    public Image apply(Image img, Generator rng) {
        return rng.nextDouble() < p ? hflip(img) : img;
    }

    public static Image hflip(Image img) {
        int h = img.height(), w = img.width(), c = img.channels();
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < h; y++) {
            int row = y * w * c;
            for (int x = 0; x < w; x++) {
                System.arraycopy(in, row + (w - 1 - x) * c, out, row + x * c, c);
            }
        }
        return Image.wrap(h, w, c, out);
    }
}
