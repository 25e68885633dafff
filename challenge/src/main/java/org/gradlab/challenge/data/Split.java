package org.gradlab.challenge.data;

/**
 * One split of an image classification dataset: {@code n} uint8 images in HWC order
 * ({@code images[((i*h + y)*w + x)*c + ch]}, read with {@code & 0xFF}) and their integer labels.
 *
 * <p>NOTE: the arrays are shared, not copied; treat them as read-only.
 */
public record Split(String name, byte[] images, int[] labels, int n, int h, int w, int c) {
    public Split {
        if ((long) n * h * w * c != images.length) {
            throw new IllegalArgumentException(name + ": images has " + images.length + " bytes, expected n*h*w*c = "
                    + n + "*" + h + "*" + w + "*" + c);
        }
        if (labels.length != n) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + n + " images");
        }
    }

    /** Bytes per image, {@code h*w*c}. */
    public int imageSize() {
        return h * w * c;
    }

    /** Pixel value 0..255 of image {@code i} at row {@code y}, column {@code x}, channel {@code ch}. */
    public int pixel(int i, int y, int x, int ch) {
        return images[((i * h + y) * w + x) * c + ch] & 0xFF;
    }
}
