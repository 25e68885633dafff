package org.gradlab.challenge.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.NpyDType;
import org.gradlab.engine.io.NpyFormatException;
import org.gradlab.engine.io.Npz;

/**
 * A MedMNIST dataset loaded from its npz: keys {@code train_images, train_labels, val_images,
 * val_labels, test_images, test_labels}; images uint8 (N,S,S,3) RGB or (N,S,S) grayscale
 * (exposed as HWC with C=3 or C=1); labels uint8/int32/int64 (N,1) or (N,).
 *
 * <p>A split whose image entry is larger than {@code gradlab.streamSplitBytes} (by default: whenever it does not fit
 * one Java array, as the 224-pixel MedMNIST+ files) is not loaded: its images are memory-mapped ({@link NpyOnDisk},
 * {@link MappedImages}) and read image by image as the data loader asks for them.
 */
public final class MedMnist {
    /** Split names in their canonical order. */
    public static final List<String> SPLITS = List.of("train", "val", "test");
    /** Image side of the classic MedMNIST files. */
    public static final int DEFAULT_SIZE = 28;
    /** The largest split image array one Java byte[] holds. */
    static final long MAX_SPLIT_BYTES = Integer.MAX_VALUE - 8;
    /** Image entries larger than this are memory-mapped, not loaded (default: the largest Java array). */
    public static final String STREAM_PROPERTY = "gradlab.streamSplitBytes";
    /** The most bytes one buffer of a memory-mapped split maps (default and upper bound: 2 GiB - 1). */
    public static final String CHUNK_PROPERTY = "gradlab.mapChunkBytes";

    private final Split train;
    private final Split val;
    private final Split test;
    private final int numClasses;

    private MedMnist(Split train, Split val, Split test, int numClasses) {
        this.train = train;
        this.val = val;
        this.test = test;
        this.numClasses = numClasses;
    }

    /** Image arrays larger than this many bytes are read from disk image by image ({@code gradlab.streamSplitBytes}). */
    public static long streamThresholdBytes() {
        return Math.min(Long.getLong(STREAM_PROPERTY, MAX_SPLIT_BYTES), MAX_SPLIT_BYTES);
    }

    /** Loads a 28x28 file; {@code numClasses} = max label + 1 over all splits. */
    public static MedMnist load(Path npz) throws IOException {
        return load(npz, DEFAULT_SIZE, -1);
    }

    /**
     * Loads and validates a MedMNIST npz.
     *
     * @param size       expected H = W, or -1 to take it from the file's train_images
     * @param numClasses the number of classes, or -1 to use max label + 1 over all splits
     * @throws NpyFormatException naming the file, key, expected and actual content on any mismatch
     */
    public static MedMnist load(Path npz, int size, int numClasses) throws IOException {
        try (Npz z = Npz.open(npz)) {
            List<String> missing = new ArrayList<>();
            for (String s : SPLITS) {
                for (String k : new String[] {s + "_images", s + "_labels"}) {
                    if (!z.has(k)) missing.add(k);
                }
            }
            if (!missing.isEmpty()) {
                throw new NpyFormatException(z.name() + ": not a MedMNIST npz: missing " + missing
                        + "; keys present: " + z.keys());
            }
            Split[] splits = new Split[3];
            int maxLabel = -1;
            if (size < 0) {
                int[] shape = z.get("train_images").shape();
                size = shape.length >= 3 ? shape[1] : -1;
            }
            for (int i = 0; i < 3; i++) {
                splits[i] = readSplit(z, SPLITS.get(i), size);
                for (int l : splits[i].labels()) {
                    if (l < 0) {
                        throw new NpyFormatException(z.name() + "[" + SPLITS.get(i) + "_labels]: negative label " + l);
                    }
                    maxLabel = Math.max(maxLabel, l);
                }
            }
            int k = numClasses > 0 ? numClasses : maxLabel + 1;
            if (maxLabel >= k) {
                throw new NpyFormatException(z.name() + ": labels must be in [0, " + k + "), found label " + maxLabel);
            }
            return new MedMnist(splits[0], splits[1], splits[2], k);
        }
    }

    private static Split readSplit(Npz z, String split, int size) throws IOException {
        String ik = split + "_images";
        boolean streamed = z.entrySize(ik) > streamThresholdBytes();
        NpyArray img = streamed ? null : z.get(ik);
        NpyOnDisk onDisk = streamed ? NpyOnDisk.locate(z.path(), z.name(), ik) : null;
        String descr = streamed ? NpyDType.parse(onDisk.descr(), z.name() + "[" + ik + "]").descr() : img.dtype().descr();
        int[] s = streamed ? onDisk.shape() : img.shape();
        boolean rgb = s.length == 4 && (s[3] == 3 || s[3] == 1);
        boolean ok = descr.equals(NpyDType.U1.descr()) && (s.length == 3 || rgb) && s[1] == size && s[2] == size;
        if (!ok) {
            throw new NpyFormatException(z.name() + "[" + ik + "]: expected uint8 (N," + size + "," + size
                    + ",3) or (N," + size + "," + size + "), got " + descr + " " + shapeString(s));
        }
        int n = s[0];
        int c = s.length == 4 ? s[3] : 1;
        String lk = split + "_labels";
        NpyArray lab = z.get(lk);
        int[] ls = lab.shape();
        if (ls.length == 2 && ls[1] > 1) {
            throw new NpyFormatException(z.name() + "[" + lk + "]: " + ls[1] + " labels per image " + lab.shapeString()
                    + ": a multi-label dataset (such as chestmnist); GradLab trains single-label classifiers (one label per image)");
        }
        boolean shapeOk = (ls.length == 1 || (ls.length == 2 && ls[1] == 1)) && ls.length > 0;
        if (!shapeOk || lab.dtype().isFloat() || lab.dtype() == NpyDType.B1) {
            throw new NpyFormatException(z.name() + "[" + lk + "]: expected integer labels of shape (" + n
                    + ",1) or (" + n + ",), got " + lab.dtype().descr() + " " + lab.shapeString());
        }
        if (ls[0] != n) {
            throw new NpyFormatException(z.name() + "[" + lk + "]: " + ls[0] + " labels for " + n + " images in "
                    + ik + " " + shapeString(s));
        }
        long[] raw = lab.toLongs();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            if (raw[i] < 0 || raw[i] > Integer.MAX_VALUE) {
                throw new NpyFormatException(z.name() + "[" + lk + "]: label " + raw[i] + " at index " + i + " is out of range");
            }
            labels[i] = (int) raw[i];
        }
        if (streamed) {
            long chunk = Math.min(Long.getLong(CHUNK_PROPERTY, MappedImages.MAX_CHUNK_BYTES), MappedImages.MAX_CHUNK_BYTES);
            MappedImages mapped = new MappedImages(onDisk.file(), onDisk.dataOffset(), n, size * size * c, chunk);
            return new Split(split, mapped, labels, n, size, size, c);
        }
        return new Split(split, img.rawBytes(), labels, n, size, size, c);
    }

    private static String shapeString(int[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    public Split train() {
        return train;
    }

    public Split val() {
        return val;
    }

    public Split test() {
        return test;
    }

    /** The split called {@code name} ("train", "val" or "test"). */
    public Split split(String name) {
        switch (name) {
            case "train": return train;
            case "val": return val;
            case "test": return test;
            default: throw new IllegalArgumentException("unknown split '" + name + "'; expected one of " + SPLITS);
        }
    }

    public int numClasses() {
        return numClasses;
    }

    /** Number of images per class in {@code split}, length {@link #numClasses()}. */
    public int[] classCounts(Split split) {
        int[] counts = new int[numClasses];
        for (int l : split.labels()) counts[l]++;
        return counts;
    }

    /** Same as {@link #classCounts(Split)} for a split name. */
    public int[] classCounts(String split) {
        return classCounts(split(split));
    }
}
