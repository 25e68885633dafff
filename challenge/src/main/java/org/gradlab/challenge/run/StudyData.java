package org.gradlab.challenge.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.MedMnistCatalog;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.data.SplitImages;
import org.gradlab.challenge.study.Normalization;
import org.gradlab.nn.data.Image;
import org.gradlab.nn.data.transforms.Grayscale;
import org.gradlab.nn.data.transforms.Resize;

/**
 * A study's data as its experiments see it: the npz's splits, prepared as each experiment's {@code input} asks
 * ({@link #prepared}), with the dataset's class names.
 *
 * @param flag the MedMNIST flag when known (e.g. "breastmnist"), else null
 */
public record StudyData(String flag, Path file, Split train, Split val, Split test, int numClasses, List<String> classNames) {

    /**
     * The class names numbered, "0: malignant; 1: normal, benign": a name may hold a comma, so a plain
     * comma-joined list would be ambiguous.
     */
    public static String numbered(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append(i).append(": ").append(names.get(i));
        }
        return sb.toString();
    }

    /** Loads {@code file}; {@code flag} (may be null) gives class names and the multi-label check. */
    public static StudyData load(Path file, String flag) throws IOException {
        if (flag != null && MedMnistCatalog.has(flag) && MedMnistCatalog.get(flag).multiLabel()) {
            throw new IllegalArgumentException(flag + " is a multi-label dataset (" + MedMnistCatalog.get(flag).classes().size()
                    + " labels per image); GradLab trains single-label classifiers: choose another dataset");
        }
        MedMnist m = MedMnist.load(file, -1, flag != null && MedMnistCatalog.has(flag) ? MedMnistCatalog.get(flag).classes().size() : -1);
        List<String> names = new ArrayList<>();
        if (flag != null && MedMnistCatalog.has(flag)) {
            names.addAll(MedMnistCatalog.get(flag).classes());
        } else {
            for (int i = 0; i < m.numClasses(); i++) {
                names.add("class " + i);
            }
        }
        return new StudyData(flag, file, m.train(), m.val(), m.test(), m.numClasses(), List.copyOf(names));
    }

    /**
     * The data as an experiment's {@code input} asks: {@code channels} channels (gray replicated to 3 as
     * torchvision's Grayscale(3); RGB to 1 by Pillow's luminance) and images resized to {@code resize} pixels with
     * Pillow's bilinear filter (torchvision's Resize); null leaves either as it is. Done once, before training.
     */
    public StudyData prepared(Integer channels, Integer resize) {
        int c = channels == null ? train.c() : channels;
        int size = resize == null ? train.h() : resize;
        if (c == train.c() && size == train.h() && size == train.w()) {
            return this;
        }
        return new StudyData(flag, file, prepare(train, c, size), prepare(val, c, size), prepare(test, c, size), numClasses,
                classNames);
    }

    /** The first {@code n} training images (null: all). */
    public StudyData limitTrain(Integer n) {
        return new StudyData(flag, file, limit(train, n), val, test, numClasses, classNames);
    }

    /** The first {@code n} images of {@code s} (null or n >= s.n(): all of them). */
    public static Split limit(Split s, Integer n) {
        if (n == null || n >= s.n()) {
            return s;
        }
        if (n <= 0) {
            throw new IllegalArgumentException("--limit-train must be positive, got " + n);
        }
        int size = s.h() * s.w() * s.c();
        if (!s.inMemory()) { // the first n images of the mapped file
            return new Split(s.name(), s.pixels(), java.util.Arrays.copyOf(s.labels(), n), n, s.h(), s.w(), s.c());
        }
        return new Split(s.name(), java.util.Arrays.copyOf(s.images(), n * size), java.util.Arrays.copyOf(s.labels(), n), n,
                s.h(), s.w(), s.c());
    }

    public boolean isDermaMnist() {
        return "dermamnist".equals(flag);
    }

    public int[] classCounts(Split s) {
        int[] counts = new int[numClasses];
        for (int l : s.labels()) {
            counts[l]++;
        }
        return counts;
    }

    public Split split(String name) {
        return switch (name) {
            case "train" -> train;
            case "val" -> val;
            case "test" -> test;
            default -> throw new IllegalArgumentException("unknown split '" + name + "': expected train, val, test");
        };
    }

    /** {mean, std} per channel for evaluation, or {null, null} when inputs are not normalised. */
    public float[][] evaluationNormalization(Normalization n) {
        if (n.isNone()) {
            return new float[2][];
        }
        int c = train.c();
        double[] m = n.mean(c);
        double[] s = n.std(c);
        float[] mf = new float[c];
        float[] sf = new float[c];
        for (int i = 0; i < c; i++) {
            mf[i] = (float) m[i];
            sf[i] = (float) s[i];
        }
        return new float[][] {mf, sf};
    }

    /**
     * {@code s} with {@code channels} channels at {@code size} pixels: in memory when the source is; from images read
     * from disk, in memory when the result fits under {@code gradlab.streamSplitBytes}, else prepared image by image
     * as the data loader reads them (the same bytes either way).
     */
    private static Split prepare(Split s, int channels, int size) {
        int per = size * size * channels;
        long bytes = (long) s.n() * per;
        if (!s.inMemory() && bytes > MedMnist.streamThresholdBytes()) {
            SplitImages lazy = new SplitImages() {
                @Override
                public int count() {
                    return s.n();
                }

                @Override
                public void copy(int i, byte[] dst, int off) {
                    System.arraycopy(prepareImage(s.image(i), channels, size).pixels(), 0, dst, off, per);
                }
            };
            return new Split(s.name(), lazy, s.labels(), s.n(), size, size, channels);
        }
        byte[] out = new byte[Math.toIntExact(bytes)];
        for (int i = 0; i < s.n(); i++) {
            System.arraycopy(prepareImage(s.image(i), channels, size).pixels(), 0, out, i * per, per);
        }
        return new Split(s.name(), out, s.labels(), s.n(), size, size, channels);
    }

    private static Image prepareImage(Image img, int channels, int size) {
        if (img.channels() != channels) {
            img = Grayscale.grayscale(img, channels);
        }
        return Resize.resize(img, size, size);
    }
}
