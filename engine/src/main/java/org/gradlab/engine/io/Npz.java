package org.gradlab.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A NumPy {@code .npz} archive: a ZIP of {@code <key>.npy} entries, STORED ({@code np.savez}) or
 * DEFLATED ({@code np.savez_compressed}). Arrays are decoded lazily on {@link #get(String)}.
 *
 * <p>NOTE: {@code get} decodes the entry on every call (no cache), so memory stays bounded by what
 * the caller keeps. Each entry's CRC-32 is verified, also for STORED entries (ZipFile does not).
 */
public final class Npz implements AutoCloseable {
    private final ZipFile zip;
    private final String name;
    private final Map<String, ZipEntry> entries;
    private Path path;

    private Npz(ZipFile zip, String name, Map<String, ZipEntry> entries) {
        this.zip = zip;
        this.name = name;
        this.entries = entries;
    }

    /**
     * Opens an npz file.
     *
     * @throws NpyFormatException if it is not a readable zip (truncated or corrupt)
     * @throws IOException        if the file cannot be read (e.g. it does not exist)
     */
    public static Npz open(Path path) throws IOException {
        String name = displayName(path);
        if (!Files.isRegularFile(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "npz file not found");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new NpyFormatException(name + ": not a valid npz (truncated or corrupt zip): " + e.getMessage(), e);
        }
        Map<String, ZipEntry> map = new LinkedHashMap<>();
        Enumeration<? extends ZipEntry> en = zip.entries(); // central-directory (= file) order
        while (en.hasMoreElements()) {
            ZipEntry e = en.nextElement();
            if (e.isDirectory()) continue;
            String key = e.getName().endsWith(".npy")
                    ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
            map.put(key, e);
        }
        Npz npz = new Npz(zip, name, map);
        npz.path = path;
        return npz;
    }

    /** The file this was opened from (a fixture's suite finds MANIFEST.json beside it). */
    public Path path() {
        return path;
    }

    /** Keys (entry names without {@code .npy}) in file order. */
    public List<String> keys() {
        return Collections.unmodifiableList(new ArrayList<>(entries.keySet()));
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    /** Short name used in error messages: parent folder and file name, e.g. {@code golden/conv2d.npz}. */
    public String name() {
        return name;
    }

    /** Uncompressed bytes of the entry under {@code key} (the .npy header included), or -1 when unknown or absent. */
    public long entrySize(String key) {
        ZipEntry e = entries.get(key);
        return e == null ? -1 : e.getSize();
    }

    /**
     * Decodes the array stored under {@code key}.
     *
     * @throws NpyFormatException if the key is missing (the message lists similar keys) or the entry is corrupt
     * @throws UncheckedIOException if reading fails for another I/O reason
     */
    public NpyArray get(String key) {
        ZipEntry e = entries.get(key);
        String where = name + "[" + key + "]";
        if (e == null) {
            throw new NpyFormatException(name + " has no key '" + key + "'; " + similarKeys(key));
        }
        CRC32 crc = new CRC32();
        byte[] bytes;
        try (InputStream in = new CheckedInputStream(zip.getInputStream(e), crc)) {
            bytes = in.readAllBytes();
            // NOTE: a damaged deflate stream can end early without an exception, and ZipFile never
            // checks STORED data, so size and CRC from the central directory are checked here.
            if (e.getSize() != -1 && bytes.length != e.getSize()) {
                throw new NpyFormatException(where + ": corrupt entry: zip directory says " + e.getSize()
                        + " uncompressed bytes, got " + bytes.length);
            }
            if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
                throw new NpyFormatException(where + ": corrupt entry: CRC-32 expected "
                        + Long.toHexString(e.getCrc()) + ", got " + Long.toHexString(crc.getValue()));
            }
        } catch (ZipException ex) {
            throw new NpyFormatException(where + ": not a valid npz (truncated or corrupt zip): " + ex.getMessage(), ex);
        } catch (java.io.EOFException ex) {
            throw new NpyFormatException(where + ": not a valid npz (truncated or corrupt zip): " + ex, ex);
        } catch (IOException ex) {
            throw new UncheckedIOException(where + ": read failed: " + ex.getMessage(), ex);
        }
        return Npy.read(bytes, where);
    }

    /**
     * Writes {@code arrays} (in map iteration order; use a LinkedHashMap) as an npz.
     *
     * @param compress DEFLATED entries like {@code np.savez_compressed} if true, else STORED like {@code np.savez}
     */
    public static void write(Path path, Map<String, NpyArray> arrays, boolean compress) throws IOException {
        try (OutputStream fos = new BufferedOutputStream(Files.newOutputStream(path));
             ZipOutputStream zos = new ZipOutputStream(fos)) {
            for (Map.Entry<String, NpyArray> kv : arrays.entrySet()) {
                byte[] bytes = Npy.toBytes(kv.getValue());
                ZipEntry e = new ZipEntry(kv.getKey() + ".npy");
                if (compress) {
                    e.setMethod(ZipEntry.DEFLATED);
                } else {
                    // NOTE: STORED entries must declare size and CRC before the data.
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(bytes.length);
                    e.setCompressedSize(bytes.length);
                    e.setCrc(crc.getValue());
                }
                zos.putNextEntry(e);
                zos.write(bytes);
                zos.closeEntry();
            }
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    private String similarKeys(String key) {
        int dot = key.indexOf('.');
        String prefix = dot >= 0 ? key.substring(0, dot + 1) : key;
        List<String> similar = entries.keySet().stream().filter(k -> k.startsWith(prefix)).collect(Collectors.toList());
        if (!similar.isEmpty()) {
            return "keys starting with '" + prefix + "': " + abbreviate(similar);
        }
        return "keys: " + abbreviate(new ArrayList<>(entries.keySet()));
    }

    private static String abbreviate(List<String> keys) {
        int max = 30;
        String s = String.join(", ", keys.subList(0, Math.min(max, keys.size())));
        return keys.size() > max ? s + ", ... (" + keys.size() + " in all)" : s;
    }

    private static String displayName(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        return parent != null && parent.getFileName() != null
                ? parent.getFileName() + "/" + abs.getFileName() : abs.toString();
    }
}
