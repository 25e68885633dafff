package org.gradlab.challenge.data;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Downloads MedMNIST npz files (Zenodo record 10519652) into a cache folder as {@code <name>.npz},
 * verifying the md5, through {@link Download} (progress bar, temporary file, atomic move: the final
 * name never holds a partial or wrong file).
 */
public final class DatasetDownloader {
    /** Base URL of the official files; {@code <base><name>.npz?download=1}. */
    public static final String ZENODO_BASE = "https://zenodo.org/records/10519652/files/";
    /** Official md5 sums of the files this project uses (from the MedMNIST release). */
    public static final Map<String, String> KNOWN_MD5 = Map.of(
            "dermamnist", "0744692d530f8e62ec473284d019b0c7",
            "breastmnist", "750601b1f35ba3300ea97c75c52ff8f6");

    private final Path cacheDir;
    private final String baseUrl;
    private final Download download;

    /** Official Zenodo URLs, cache {@link #defaultCacheDir()}. */
    public DatasetDownloader() {
        this(defaultCacheDir(), ZENODO_BASE);
    }

    /**
     * @param cacheDir where {@code <name>.npz} files are kept (created if needed)
     * @param baseUrl  prefix to which {@code <name>.npz?download=1} is appended (ends with '/')
     */
    public DatasetDownloader(Path cacheDir, String baseUrl) {
        this(cacheDir, baseUrl, Download.toConsole());
    }

    /** As {@link #DatasetDownloader(Path, String)}, downloading through {@code download} (its progress bar). */
    public DatasetDownloader(Path cacheDir, String baseUrl, Download download) {
        this.cacheDir = cacheDir;
        this.baseUrl = baseUrl;
        this.download = download;
    }

    /** {@code ~/.cache/gradlab/medmnist}. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "gradlab", "medmnist");
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Downloads a dataset listed in {@link #KNOWN_MD5}. */
    public Path download(String name) throws IOException, InterruptedException {
        String md5 = KNOWN_MD5.get(name);
        if (md5 == null) {
            throw new IllegalArgumentException("no official md5 known for '" + name + "' (known: "
                    + KNOWN_MD5.keySet() + "); call download(name, md5)");
        }
        return download(name, md5);
    }

    /**
     * Returns {@code cacheDir/<name>.npz}, downloading it first unless a file with md5
     * {@code expectedMd5} is already there.
     *
     * @throws IOException naming the file, expected and actual md5 on a mismatch, or the HTTP status,
     *                     or the transfer error; no file is left behind under the final name
     */
    public Path download(String name, String expectedMd5) throws IOException, InterruptedException {
        URI uri = URI.create(baseUrl + name + ".npz?download=1");
        return download.fetch(uri, cacheDir.resolve(name + ".npz"), Download.Expected.md5(expectedMd5));
    }
}
