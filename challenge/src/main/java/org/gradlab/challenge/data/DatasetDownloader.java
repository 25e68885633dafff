package org.gradlab.challenge.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import org.gradlab.engine.io.Checksums;

/**
 * Downloads MedMNIST npz files (Zenodo record 10519652) into a cache folder, verifying the md5.
 *
 * <p>The body is streamed into a temporary file in the cache folder while its md5 is computed; only
 * a complete file with the expected md5 is atomically renamed to {@code <name>.npz}. On any failure
 * the temporary file is deleted, so the final name never holds a partial or wrong file.
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
    private final HttpClient client;

    /** Official Zenodo URLs, cache {@link #defaultCacheDir()}. */
    public DatasetDownloader() {
        this(defaultCacheDir(), ZENODO_BASE);
    }

    /**
     * @param cacheDir where {@code <name>.npz} files are kept (created if needed)
     * @param baseUrl  prefix to which {@code <name>.npz?download=1} is appended (ends with '/')
     */
    public DatasetDownloader(Path cacheDir, String baseUrl) {
        this.cacheDir = cacheDir;
        this.baseUrl = baseUrl;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
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
        Files.createDirectories(cacheDir);
        Path target = cacheDir.resolve(name + ".npz");
        if (Files.isRegularFile(target) && Checksums.md5(target).equalsIgnoreCase(expectedMd5)) {
            return target;
        }
        URI uri = URI.create(baseUrl + name + ".npz?download=1");
        Path tmp = Files.createTempFile(cacheDir, name + ".npz.", ".part");
        try {
            HttpRequest req = HttpRequest.newBuilder(uri).GET().build();
            MessageDigest md = Checksums.newDigest("MD5");
            try {
                HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(tmp)) {
                    if (resp.statusCode() != 200) {
                        throw new IOException("HTTP status " + resp.statusCode());
                    }
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        out.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                throw new IOException("download of " + uri + " into " + target + " failed: " + Failures.describe(e), e);
            }
            String actual = Checksums.hex(md.digest());
            if (!actual.equalsIgnoreCase(expectedMd5)) {
                throw new IOException("md5 mismatch for " + target.getFileName() + " from " + uri
                        + ": expected " + expectedMd5 + ", got " + actual);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
