package org.gradlab.nn.data;

/**
 * In-memory dataset over {@code n} HWC uint8 images stored back to back in one {@code byte[]}
 * ({@code n*h*w*c} bytes) and their labels.
 */
public final class ArrayDataset implements Dataset {
    private final byte[] data;
    private final int[] labels;
    private final int h;
    private final int w;
    private final int c;

    public ArrayDataset(byte[] data, int[] labels, int h, int w, int c) {
        long per = (long) h * w * c;
        if (per <= 0 || data.length != per * labels.length) {
            throw new IllegalArgumentException("ArrayDataset: " + labels.length + " labels of " + h + "x" + w + "x" + c
                    + " images need " + per * labels.length + " bytes, got " + data.length);
        }
        this.data = data;
        this.labels = labels;
        this.h = h;
        this.w = w;
        this.c = c;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Sample get(int index) {
        if (index < 0 || index >= labels.length) {
            throw new IndexOutOfBoundsException("ArrayDataset: index " + index + " out of [0, " + labels.length + ")");
        }
        int per = h * w * c;
        return new Sample(Image.copyOf(h, w, c, data, index * per), labels[index]);
    }
}
