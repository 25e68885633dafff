package org.gradlab.natives.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NVRTC disk cache's keying and reuse, with a counting stand-in for the compiler (no GPU needed). */
class CubinCacheTest {
    private static final List<String> SM90 = List.of("-arch=sm_90", "--std=c++17", "-default-device");

    /** Stands in for NVRTC: returns the source's bytes plus a call number, and counts calls. */
    private static final class CountingCompiler {
        final AtomicInteger calls = new AtomicInteger();

        Supplier<byte[]> of(String source) {
            return () -> (source + "#" + calls.incrementAndGet()).getBytes();
        }
    }

    @Test
    void keyChangesWithSourceOptionsAndVersionOnly() {
        String k = CubinCache.key("__global__ void f() {}", SM90, "13.0");
        assertEquals(k, CubinCache.key("__global__ void f() {}", List.copyOf(SM90), "13.0"));
        assertNotEquals(k, CubinCache.key("__global__ void f() { }", SM90, "13.0"));
        assertNotEquals(k, CubinCache.key("__global__ void f() {}", List.of("-arch=sm_80", "--std=c++17", "-default-device"), "13.0"));
        assertNotEquals(k, CubinCache.key("__global__ void f() {}", SM90, "13.1"));
        assertEquals(64, k.length());
    }

    @Test
    void secondJvmLoadsWhatTheFirstCompiled(@TempDir Path dir) throws Exception {
        CountingCompiler nvrtc = new CountingCompiler();
        String src = "__global__ void f() {}";
        String key = CubinCache.key(src, SM90, "13.0");
        CubinCache first = new CubinCache(dir);
        byte[] compiled = first.get(key, "tensor.cu", nvrtc.of(src));
        assertEquals(1, nvrtc.calls.get());
        assertEquals(1, first.compiled());

        CubinCache second = new CubinCache(dir); // a new JVM: nothing in memory, same directory
        byte[] loaded = second.get(key, "tensor.cu", nvrtc.of(src));
        assertEquals(1, nvrtc.calls.get(), "the second cache must not compile again");
        assertArrayEquals(compiled, loaded);
        assertEquals(1, second.loaded());
        assertEquals(0, second.compiled());

        String otherKey = CubinCache.key(src, SM90, "13.1"); // another NVRTC: a miss
        second.get(otherKey, "tensor.cu", nvrtc.of(src));
        assertEquals(2, nvrtc.calls.get());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".cubin")).count(), "one file per key, no temporaries left");
        }
    }

    @Test
    void offCompilesEveryTimeAndWritesNothing(@TempDir Path home) {
        CountingCompiler nvrtc = new CountingCompiler();
        CubinCache off = CubinCache.fromSetting("off", home);
        assertNull(off.dir());
        off.get("k", "a.cu", nvrtc.of("a"));
        off.get("k", "a.cu", nvrtc.of("a"));
        assertEquals(2, nvrtc.calls.get());
        assertFalse(Files.exists(home.resolve(".cache")));
    }

    @Test
    void settingNamesTheDirectory(@TempDir Path home) {
        assertEquals(home.resolve(".cache/gradlab/nvrtc"), CubinCache.fromSetting(null, home).dir());
        assertEquals(home.resolve(".cache/gradlab/nvrtc"), CubinCache.fromSetting(" ", home).dir());
        assertEquals(Path.of("/tmp/bundle/.nvrtc-cache"), CubinCache.fromSetting("/tmp/bundle/.nvrtc-cache", home).dir());
    }

    @Test
    void unwritableDirectoryStillReturnsTheImage(@TempDir Path tmp) throws Exception {
        Path notADir = Files.writeString(tmp.resolve("file"), "x"); // a file where the directory should be
        CountingCompiler nvrtc = new CountingCompiler();
        CubinCache c = new CubinCache(notADir.resolve("nvrtc"));
        assertArrayEquals("a#1".getBytes(), c.get("k", "a.cu", nvrtc.of("a")));
        assertTrue(c.summary().contains("1 not stored"), c.summary());
    }
}
