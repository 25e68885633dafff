package org.gradlab.challenge.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.gradlab.engine.io.Checksums;

/**
 * The one way GradLab downloads a file (MedMNIST datasets, torchvision weights): HTTP GET with
 * redirects, a progress bar, the digest computed while the bytes stream into a temporary file
 * beside the target, and an atomic move to the target only when the digest matches.
 *
 * <p>NOTE: on any failure (HTTP status, cut connection, wrong digest) the temporary file is deleted,
 * so the target name never holds a partial or wrong file; a target already holding the expected
 * digest is reused without a request.
 */
public final class Download {
    /** The digest a downloaded file must have: {@code hex} in full, or as a prefix (torchvision's file names). */
    public record Expected(String algorithm, String hex, boolean prefix) {
        public static Expected md5(String hex) {
            return new Expected("MD5", hex.toLowerCase(Locale.ROOT), false);
        }

        public static Expected sha256Prefix(String hexPrefix) {
            return new Expected("SHA-256", hexPrefix.toLowerCase(Locale.ROOT), true);
        }

        public boolean matches(String actualHex) {
            String a = actualHex.toLowerCase(Locale.ROOT);
            return prefix ? a.startsWith(hex) : a.equals(hex);
        }

        /** e.g. "md5 0744…" or "sha256 starting with f37072fd". */
        public String describe() {
            String name = algorithm.replace("-", "").toLowerCase(Locale.ROOT);
            return prefix ? name + " starting with " + hex : name + " " + hex;
        }
    }

    private final HttpClient client;
    private final PrintStream progress;

    /** Progress bar on {@code progress} (null: none); connection timeout 30 s. */
    public Download(PrintStream progress) {
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        this.progress = progress;
    }

    /** Progress on standard error when a console is attached, else none. */
    public static Download toConsole() {
        return new Download(System.console() != null ? System.err : null);
    }

    /** True when {@code file} exists and has the expected digest. */
    public static boolean holds(Path file, Expected expected) throws IOException {
        return Files.isRegularFile(file) && expected.matches(digestHex(file, expected.algorithm()));
    }

    /**
     * Returns {@code target}, downloading {@code uri} into it first unless it already holds the
     * expected digest.
     *
     * @throws IOException naming the URI and target with the HTTP status or transfer error, or the
     *                     expected and actual digest; nothing is left under the target name
     */
    public Path fetch(URI uri, Path target, Expected expected) throws IOException, InterruptedException {
        if (holds(target, expected)) {
            return target;
        }
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName() + ".", ".part");
        try {
            MessageDigest md = Checksums.newDigest(expected.algorithm());
            try {
                HttpResponse<InputStream> resp = client.send(HttpRequest.newBuilder(uri).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(tmp)) {
                    if (resp.statusCode() != 200) {
                        throw new IOException("HTTP status " + resp.statusCode());
                    }
                    long length = resp.headers().firstValueAsLong("content-length").orElse(-1);
                    copy(in, out, md, length, target.getFileName().toString());
                }
            } catch (IOException e) {
                throw new IOException("download of " + uri + " into " + target + " failed: " + Failures.describe(e), e);
            }
            String actual = Checksums.hex(md.digest());
            if (!expected.matches(actual)) {
                throw new IOException("digest mismatch for " + target.getFileName() + " from " + uri + ": expected "
                        + expected.describe() + ", got " + actual);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void copy(InputStream in, OutputStream out, MessageDigest md, long length, String name) throws IOException {
        ProgressBar bar = progress == null ? null : new ProgressBarBuilder().setTaskName("download " + name)
                .setInitialMax(length).setUnit(" MiB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(progress, 100)).build();
        try {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                if (bar != null) {
                    bar.stepBy(n);
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
    }

    private static String digestHex(Path file, String algorithm) throws IOException {
        MessageDigest md = Checksums.newDigest(algorithm);
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return Checksums.hex(md.digest());
    }
}
