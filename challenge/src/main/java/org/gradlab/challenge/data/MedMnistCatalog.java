package org.gradlab.challenge.data;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The twelve MedMNIST v2 2D datasets and their MedMNIST+ sizes: per flag the task, channels, class names, split sizes
 * and per size (28, 64, 128, 224) the Zenodo URL and official md5. Data, not code: read from
 * {@code medmnist-catalog.yaml} (copied from medmnist/info.py).
 */
public final class MedMnistCatalog {
    /** Image sides MedMNIST publishes. */
    public static final List<Integer> SIZES = List.of(28, 64, 128, 224);

    /** One downloadable file. */
    public record FileEntry(String url, String md5) {}

    /** One dataset flag. */
    public record Entry(String task, int channels, List<String> classes, Map<String, Integer> samples,
                        Map<Integer, FileEntry> files) {
        /** Whether each image has several labels at once (chestmnist). */
        public boolean multiLabel() {
            return task.startsWith("multi-label");
        }

        public boolean binary() {
            return classes.size() == 2;
        }
    }

    private record Root(Map<String, Entry> datasets) {}

    private static final Map<String, Entry> ENTRIES = load();

    private MedMnistCatalog() {}

    private static Map<String, Entry> load() {
        try (InputStream in = MedMnistCatalog.class.getResourceAsStream("medmnist-catalog.yaml")) {
            if (in == null) {
                throw new IllegalStateException("medmnist-catalog.yaml missing from the class path");
            }
            YAMLMapper m = YAMLMapper.builder().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true).build();
            return new TreeMap<>(m.readValue(in, Root.class).datasets());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read medmnist-catalog.yaml", e);
        }
    }

    /** Every flag, sorted. */
    public static List<String> flags() {
        return List.copyOf(ENTRIES.keySet());
    }

    public static boolean has(String flag) {
        return ENTRIES.containsKey(flag);
    }

    public static Entry get(String flag) {
        Entry e = ENTRIES.get(flag);
        if (e == null) {
            throw new IllegalArgumentException("unknown MedMNIST dataset '" + flag + "': expected one of " + flags());
        }
        return e;
    }

    /** The file of {@code flag} at {@code size}. */
    public static FileEntry file(String flag, int size) {
        FileEntry f = get(flag).files().get(size);
        if (f == null) {
            throw new IllegalArgumentException(flag + ": no size " + size + ": expected one of " + SIZES);
        }
        return f;
    }

    /** The cache file name, as MedMNIST names it: {@code breastmnist.npz}, {@code breastmnist_64.npz}. */
    public static String fileStem(String flag, int size) {
        return size == 28 ? flag : flag + "_" + size;
    }
}
