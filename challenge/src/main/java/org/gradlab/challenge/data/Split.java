package org.gradlab.challenge.data;

import org.gradlab.nn.data.Dataset;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.Sample;

/**
 * One split of an image classification dataset: {@code n} uint8 images in HWC order and their integer labels. The
 * pixels are in memory ({@link #images()}: {@code images[((i*h + y)*w + x)*c + ch]}, read with {@code & 0xFF}) or, for
 * splits too large for one Java array, memory-mapped from disk ({@link MappedImages}); {@link #image(int)} and
 * {@link #copyImage} read either.
 *
 * <p>NOTE: the arrays are shared, not copied; treat them as read-only.
 */
public record Split(String name, SplitImages pixels, int[] labels, int n, int h, int w, int c) {
    public Split {
        byte[] array = pixels.array();
        if (array != null && (long) n * h * w * c != array.length) {
            throw new IllegalArgumentException(name + ": images has " + array.length + " bytes, expected n*h*w*c = "
                    + n + "*" + h + "*" + w + "*" + c);
        }
        if (array == null && pixels.count() < n) {
            throw new IllegalArgumentException(name + ": " + pixels.count() + " images for n = " + n);
        }
        if (labels.length != n) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + n + " images");
        }
    }

    /** In-memory images, {@code n*h*w*c} bytes back to back. */
    public Split(String name, byte[] images, int[] labels, int n, int h, int w, int c) {
        this(name, SplitImages.of(images, Math.max(1, h * w * c)), labels, n, h, w, c);
    }

    /**
     * Every image back to back in one array.
     *
     * @throws IllegalStateException when the split is read from disk image by image (too large for one array)
     */
    public byte[] images() {
        byte[] a = pixels.array();
        if (a == null) {
            throw new IllegalStateException(name + ": " + n + " images of " + h + "x" + w + "x" + c
                    + " are read from disk image by image (too large for one Java array); use Split.image(i)");
        }
        return a;
    }

    /** True when the pixels are in one array ({@link #images()}), false when they are read from disk. */
    public boolean inMemory() {
        return pixels.array() != null;
    }

    /** Bytes per image, {@code h*w*c}. */
    public int imageSize() {
        return h * w * c;
    }

    /** Copies image {@code i} ({@link #imageSize()} bytes, HWC) into {@code dst} at {@code off}. */
    public void copyImage(int i, byte[] dst, int off) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException(name + ": image " + i + " out of [0, " + n + ")");
        }
        pixels.copy(i, dst, off);
    }

    /** Image {@code i} as a fresh {@link Image}. */
    public Image image(int i) {
        byte[] px = new byte[imageSize()];
        copyImage(i, px, 0);
        return Image.wrap(h, w, c, px);
    }

    /** Pixel value 0..255 of image {@code i} at row {@code y}, column {@code x}, channel {@code ch}. */
    public int pixel(int i, int y, int x, int ch) {
        byte[] a = pixels.array();
        return a != null ? a[((i * h + y) * w + x) * c + ch] & 0xFF : image(i).get(y, x, ch);
    }

    /** This split as a data loader's dataset: each {@code get} reads one image (in the loader's worker thread). */
    public Dataset dataset() {
        return new Dataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Sample get(int index) {
                return new Sample(image(index), labels[index]);
            }
        };
    }
}
