package org.gradlab.natives.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * NVRTC's output kept on disk, so that the several JVMs of one GPU run (self-test, parity,
 * verify, one per timed epoch) compile each kernel file once instead of each JVM compiling
 * every file again (pure Java; {@link NvrtcCompiler} supplies the compile function).
 *
 * <p>The key is a SHA-256 over the NVRTC version, the compile options (which name the
 * architecture) and the source, so a changed kernel, option or library is a miss, never a stale
 * hit. Files are written to a temporary name and moved into place, so a reader never sees a half
 * written image; a cache directory that cannot be written only costs the recompilation (one
 * warning line).
 */
final class CubinCache {
    private final Path dir;
    private final AtomicInteger loaded = new AtomicInteger();
    private final AtomicInteger compiled = new AtomicInteger();
    private final AtomicInteger unwritten = new AtomicInteger();

    /** A cache in {@code dir}; {@code null} disables it (every call compiles). */
    CubinCache(Path dir) {
        this.dir = dir;
    }

    /**
     * The cache a property value names: {@code off} (or {@code none}, {@code false}) disables it,
     * a blank or absent value means {@code <home>/.cache/gradlab/nvrtc}, anything else is the directory.
     */
    static CubinCache fromSetting(String value, Path home) {
        if (value == null || value.isBlank()) {
            return new CubinCache(home.resolve(".cache").resolve("gradlab").resolve("nvrtc"));
        }
        String v = value.trim();
        if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("none") || v.equalsIgnoreCase("false")) {
            return new CubinCache(null);
        }
        return new CubinCache(Path.of(v));
    }

    /** Hex SHA-256 of the NVRTC version, the options in order and the source. */
    static String key(String source, List<String> options, String nvrtcVersion) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("nvrtc " + nvrtcVersion + "\n" + String.join("\u0000", options) + "\n").getBytes(StandardCharsets.UTF_8));
            md.update(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The directory, or null when disabled. */
    Path dir() {
        return dir;
    }

    /** The image stored under {@code key}, else {@code compile}'s result (then stored). {@code name} only labels the file. */
    byte[] get(String key, String name, Supplier<byte[]> compile) {
        Path file = dir == null ? null : dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + key + ".cubin");
        if (file != null && Files.isRegularFile(file)) {
            try {
                byte[] image = Files.readAllBytes(file);
                if (image.length > 0) {
                    loaded.incrementAndGet();
                    return image;
                }
            } catch (IOException e) {
                // unreadable: compile again and try to replace it
            }
        }
        byte[] image = compile.get();
        compiled.incrementAndGet();
        if (file != null) {
            store(file, image);
        }
        return image;
    }

    private void store(Path file, byte[] image) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".cubin-", ".tmp");
            try {
                Files.write(tmp, image);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | SecurityException e) {
            if (unwritten.getAndIncrement() == 0) {
                System.err.println("[gradlab] NVRTC cache " + dir + " not writable (" + e + "); kernels are compiled in every JVM");
            }
        }
    }

    /** Images read from disk so far. */
    int loaded() {
        return loaded.get();
    }

    /** Images compiled so far. */
    int compiled() {
        return compiled.get();
    }

    /** One line: where, how many loaded and compiled. */
    String summary() {
        return dir == null ? "NVRTC disk cache off, " + compiled() + " compiled"
                : "NVRTC disk cache " + dir + ": " + loaded() + " loaded, " + compiled() + " compiled"
                + (unwritten.get() > 0 ? ", " + unwritten.get() + " not stored" : "");
    }
}
