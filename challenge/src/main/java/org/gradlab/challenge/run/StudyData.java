package org.gradlab.challenge.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gradlab.challenge.data.MedMnist;
import org.gradlab.challenge.data.MedMnistCatalog;
import org.gradlab.challenge.data.Split;
import org.gradlab.challenge.study.Normalization;

/**
 * A study's data as its experiments see it: the npz's splits, made 3-channel from grayscale (or 1-channel from RGB
 * by luminance) when {@code input.channels} asks, with the dataset's class names.
 *
 * @param flag the MedMNIST flag when known (e.g. "breastmnist"), else null
 */
public record StudyData(String flag, Path file, Split train, Split val, Split test, int numClasses, List<String> classNames) {

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

    /** The data with {@code channels} channels (null: unchanged). */
    public StudyData withChannels(Integer channels) {
        if (channels == null || channels == train.c()) {
            return this;
        }
        return new StudyData(flag, file, convert(train, channels), convert(val, channels), convert(test, channels), numClasses,
                classNames);
    }

    /** The first {@code n} training images (null: all). */
    public StudyData limitTrain(Integer n) {
        return new StudyData(flag, file, ChallengeRunner.limit(train, n), val, test, numClasses, classNames);
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

    /** Gray to RGB repeats the plane (torchvision Grayscale(3) of a gray image); RGB to gray is ITU-R 601-2 luma. */
    private static Split convert(Split s, int channels) {
        int plane = s.h() * s.w();
        byte[] out = new byte[s.n() * plane * channels];
        byte[] in = s.images();
        for (int p = 0; p < s.n() * plane; p++) {
            if (channels == 3) {
                out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = in[p];
            } else {
                int r = in[3 * p] & 0xFF, g = in[3 * p + 1] & 0xFF, b = in[3 * p + 2] & 0xFF;
                out[p] = (byte) Math.round((r * 299 + g * 587 + b * 114) / 1000.0);
            }
        }
        return new Split(s.name(), out, s.labels(), s.n(), s.h(), s.w(), channels);
    }
}
