package org.gradlab.challenge.data;

/**
 * The pixels of a split's images, read image by image: held in one {@code byte[]} ({@link #of}), memory-mapped from
 * the npz or its unpacked copy ({@link MappedImages}), or resized from other images on the fly (a study's {@code input}, in {@code StudyData}).
 * Each image is {@code h*w*c} uint8 bytes in HWC order.
 *
 * <p>NOTE: {@link #copy} is called concurrently by the data-loading workers; implementations are safe for concurrent
 * reads.
 */
public interface SplitImages {
    /** How many images there are. */
    int count();

    /** Copies image {@code i} ({@code imageBytes} bytes) into {@code dst} at {@code off}. */
    void copy(int i, byte[] dst, int off);

    /** The array holding every image back to back, or null when the images are not in memory. */
    default byte[] array() {
        return null;
    }

    /** {@code count} images of {@code imageBytes} bytes each, back to back in {@code data} (shared, not copied). */
    static SplitImages of(byte[] data, int imageBytes) {
        return new InMemory(data, imageBytes);
    }

    /** Images {@code index[k]} of {@code base}, in that order (a view: nothing is copied). */
    static SplitImages subset(SplitImages base, int[] index) {
        int[] idx = index.clone();
        return new SplitImages() {
            @Override
            public int count() {
                return idx.length;
            }

            @Override
            public void copy(int i, byte[] dst, int off) {
                base.copy(idx[i], dst, off);
            }
        };
    }

    /** The first {@code aCount} images of {@code a} followed by those of {@code b} (a view). */
    static SplitImages join(SplitImages a, int aCount, SplitImages b) {
        int total = Math.addExact(aCount, b.count());
        return new SplitImages() {
            @Override
            public int count() {
                return total;
            }

            @Override
            public void copy(int i, byte[] dst, int off) {
                if (i < aCount) {
                    a.copy(i, dst, off);
                } else {
                    b.copy(i - aCount, dst, off);
                }
            }
        };
    }

    /** In-memory images: image {@code i} is {@code data[i*imageBytes .. (i+1)*imageBytes)}. */
    record InMemory(byte[] data, int imageBytes) implements SplitImages {
        @Override
        public int count() {
            return data.length / Math.max(1, imageBytes);
        }

        @Override
        public void copy(int i, byte[] dst, int off) {
            System.arraycopy(data, Math.multiplyExact(i, imageBytes), dst, off, imageBytes);
        }

        @Override
        public byte[] array() {
            return data;
        }
    }
}
