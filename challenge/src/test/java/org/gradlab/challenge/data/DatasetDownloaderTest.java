package org.gradlab.challenge.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gradlab.engine.io.Checksums;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Serves the repository's breastmnist.npz (known md5 and sha256) from a local HttpServer on 127.0.0.1; no other network. */
@Timeout(60)
class DatasetDownloaderTest {
    @TempDir
    Path cache;

    private HttpServer server;
    private byte[] body;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        body = Files.readAllBytes(SharedFiles.file("data/breastmnist.npz"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok/", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.createContext("/moved/", ex -> { // redirect like Zenodo does
            ex.getResponseHeaders().add("Location", "/ok/breastmnist.npz?download=1");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/drop/", ex -> { // announce the full length, send half, hang up
            ex.sendResponseHeaders(200, body.length);
            OutputStream os = ex.getResponseBody();
            os.write(body, 0, body.length / 2);
            os.flush();
            ex.close(); // fewer bytes than announced: the server closes the connection
        });
        server.createContext("/missing/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base(String ctx) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + ctx + "/";
    }

    private String[] cacheListing() throws IOException {
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void downloadsVerifiesAndReuses() throws Exception {
        DatasetDownloader d = new DatasetDownloader(cache, base("ok"));
        Path p = d.download("breastmnist");
        assertEquals(cache.resolve("breastmnist.npz"), p);
        assertEquals("750601b1f35ba3300ea97c75c52ff8f6", Checksums.md5(p));
        assertEquals(1, requests.get());
        assertEquals(p, d.download("breastmnist"));
        assertEquals(1, requests.get(), "a verified cached file is reused");
        assertEquals(1, cacheListing().length, "no temp files left: " + String.join(",", cacheListing()));
        assertEquals(546, MedMnist.load(p).train().n());
    }

    @Test
    void followsRedirects() throws Exception {
        Path p = new DatasetDownloader(cache, base("moved")).download("breastmnist");
        assertEquals("750601b1f35ba3300ea97c75c52ff8f6", Checksums.md5(p));
    }

    @Test
    void wrongMd5IsAnErrorAndLeavesNoFile() throws Exception {
        DatasetDownloader d = new DatasetDownloader(cache, base("ok"));
        IOException e = assertThrows(IOException.class, () -> d.download("breastmnist", "0123456789abcdef0123456789abcdef"));
        String m = e.getMessage();
        assertTrue(m.contains("breastmnist.npz") && m.contains("expected md5 0123456789abcdef0123456789abcdef")
                && m.contains("got 750601b1f35ba3300ea97c75c52ff8f6"), m);
        assertEquals(0, cacheListing().length, String.join(",", cacheListing()));
    }

    @Test
    void droppedConnectionIsAnErrorAndLeavesNoPartialFile() throws Exception {
        DatasetDownloader d = new DatasetDownloader(cache, base("drop"));
        IOException e = assertThrows(IOException.class, () -> d.download("breastmnist"));
        assertTrue(e.getMessage().startsWith("download of http://127.0.0.1:"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("breastmnist.npz")));
        assertEquals(0, cacheListing().length, String.join(",", cacheListing()));
    }

    @Test
    void httpErrorStatusIsAnError() {
        DatasetDownloader d = new DatasetDownloader(cache, base("missing"));
        IOException e = assertThrows(IOException.class, () -> d.download("breastmnist"));
        assertTrue(e.getMessage().contains("HTTP status 404"), e.getMessage());
    }

    @Test
    void unknownDatasetNeedsAnMd5() {
        DatasetDownloader d = new DatasetDownloader(cache, base("ok"));
        assertThrows(IllegalArgumentException.class, () -> d.download("nosuchmnist"));
        assertEquals(0, requests.get());
    }

    @Test
    void progressBarShowsTheTransfer() throws Exception {
        java.io.ByteArrayOutputStream shown = new java.io.ByteArrayOutputStream();
        Download dl = new Download(new java.io.PrintStream(shown, true, java.nio.charset.StandardCharsets.UTF_8));
        Path p = new DatasetDownloader(cache, base("ok"), dl).download("breastmnist");
        assertEquals("750601b1f35ba3300ea97c75c52ff8f6", Checksums.md5(p));
        String bar = shown.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(bar.contains("download breastmnist.npz") && bar.contains("100%"), bar);
    }

    @Test
    void sha256PrefixIsCheckedAsTorchvisionNamesIt() throws Exception {
        Download dl = new Download(null);
        java.net.URI uri = java.net.URI.create(base("ok") + "breastmnist.npz");
        Path ok = dl.fetch(uri, cache.resolve("weights-3a22d2a4.bin"), Download.Expected.sha256Prefix("3a22d2a4"));
        assertEquals(body.length, Files.size(ok));
        IOException e = assertThrows(IOException.class,
                () -> dl.fetch(uri, cache.resolve("weights-00000000.bin"), Download.Expected.sha256Prefix("00000000")));
        assertTrue(e.getMessage().contains("expected sha256 starting with 00000000, got 3a22d2a4"), e.getMessage());
        assertEquals(1, cacheListing().length, "only the verified file: " + String.join(",", cacheListing()));
    }
}
