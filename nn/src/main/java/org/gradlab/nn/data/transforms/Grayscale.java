package org.gradlab.nn.data.transforms;

import org.gradlab.engine.Generator;
import org.gradlab.nn.data.Image;

/**
 * torchvision {@code Grayscale(num_output_channels)} on the PIL path: the image becomes Pillow's
 * "L" (luminance) and is then replicated to {@code channels} (1 or 3) identical channels.
 *
 * <p>RGB to L is Pillow 9.x's {@code convert('L')}:
 * {@code L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16} (ITU-R 601-2 weights 0.299, 0.587,
 * 0.114 in 16-bit fixed point, rounded). A 1-channel input is already L.
 */
public final class Grayscale implements Transform {
    private final int channels;

    /** @param channels output channels, 1 or 3 */
    public Grayscale(int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Grayscale: expected 1 or 3 output channels, got " + channels);
        }
        this.channels = channels;
    }

    @Override
    public Image apply(Image img, Generator rng) {
        return grayscale(img, channels);
    }

    /** {@code img} as luminance, replicated to {@code channels} channels. */
    public static Image grayscale(Image img, int channels) {
        Image l = luminance(img);
        if (channels == 1) {
            return l;
        }
        if (channels != 3) {
            throw new IllegalArgumentException("Grayscale: expected 1 or 3 output channels, got " + channels);
        }
        byte[] in = l.pixels();
        byte[] out = new byte[in.length * 3];
        for (int i = 0; i < in.length; i++) {
            out[3 * i] = in[i];
            out[3 * i + 1] = in[i];
            out[3 * i + 2] = in[i];
        }
        return Image.wrap(l.height(), l.width(), 3, out);
    }

    /** Pillow's {@code convert('L')}: the input itself when it has one channel. */
    public static Image luminance(Image img) {
        if (img.channels() == 1) {
            return img;
        }
        byte[] in = img.pixels();
        byte[] out = new byte[img.height() * img.width()];
        for (int i = 0, j = 0; i < out.length; i++, j += 3) {
            int r = in[j] & 0xFF, g = in[j + 1] & 0xFF, b = in[j + 2] & 0xFF;
            out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
        }
        return Image.wrap(img.height(), img.width(), 1, out);
    }
}
