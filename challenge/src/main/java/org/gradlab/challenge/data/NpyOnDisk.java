package org.gradlab.challenge.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.gradlab.engine.io.Npy;
import org.gradlab.engine.io.NpyFormatException;

/**
 * Where the data of one {@code .npy} entry of an npz lies on disk, so it can be memory-mapped instead of loaded: an
 * entry stored without compression ({@code np.savez}) is read in place, at its offset inside the npz; a compressed
 * one ({@code np.savez_compressed}) is inflated once into {@code <npz stem>.<key>.<crc32>.npy} beside the npz (or in
 * {@code ~/.cache/gradlab/unpacked} when that folder is not writable) and read there on every later run.
 *
 * <p>NOTE: an inflated copy is checked against the entry's size and CRC-32 while it is written and moved into place
 * only when both match, so an existing copy is trusted; an entry read in place has its size checked, not its CRC (that
 * would read gigabytes on every run: the download's md5 covers it).
 *
 * @param file       the npz or the unpacked copy
 * @param dataOffset where the array's data starts in {@code file}
 * @param descr      the npy dtype, e.g. {@code |u1}
 * @param shape      the array's shape
 */
public record NpyOnDisk(Path file, long dataOffset, String descr, int[] shape) {
    private static final int HEADER_BYTES_AT_MOST = 1 << 20;

    /** The array's elements (the product of {@link #shape()}). */
    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Finds {@code key} in {@code npz}; {@code name} (the file's short name) and the key name every error.
     *
     * @throws NpyFormatException for a truncated or corrupt zip, entry or npy header
     */
    public static NpyOnDisk locate(Path npz, String name, String key) throws IOException {
        String where = name + "[" + key + "]";
        try (ZipFile zip = ZipFile.builder().setPath(npz).get()) {
            ZipArchiveEntry e = zip.getEntry(key + ".npy");
            if (e == null) {
                throw new NpyFormatException(name + " has no key '" + key + "'");
            }
            if (e.getMethod() == ZipEntry.STORED) {
                try (InputStream raw = zip.getRawInputStream(e)) {
                    // opening the raw stream reads the local header, which fixes the entry's data offset
                }
                return read(npz, e.getDataOffset(), e.getSize(), where);
            }
            Path copy = unpackedCopy(npz, key, e.getCrc());
            if (!(Files.isRegularFile(copy) && Files.size(copy) == e.getSize())) {
                inflate(zip, e, copy, where);
            }
            return read(copy, 0, e.getSize(), where);
        } catch (NpyFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new NpyFormatException(where + ": not a valid npz entry (truncated or corrupt zip): " + e.getMessage(), e);
        }
    }

    /** {@code <dir>/<npz stem>.<key>.<crc32 hex>.npy}: beside the npz when its folder is writable. */
    static Path unpackedCopy(Path npz, String key, long crc) {
        Path abs = npz.toAbsolutePath();
        String stem = abs.getFileName().toString().replaceFirst("\\.npz$", "");
        Path dir = abs.getParent();
        if (dir == null || !Files.isWritable(dir)) {
            dir = Path.of(System.getProperty("user.home"), ".cache", "gradlab", "unpacked");
        }
        return dir.resolve(stem + "." + key + "." + String.format("%08x", crc) + ".npy");
    }

    private static void inflate(ZipFile zip, ZipArchiveEntry e, Path copy, String where) throws IOException {
        Files.createDirectories(copy.getParent());
        long free = Files.getFileStore(copy.getParent()).getUsableSpace();
        if (free < e.getSize()) {
            throw new NpyFormatException(where + ": unpacking needs " + e.getSize() + " bytes in " + copy.getParent()
                    + ", only " + free + " are free");
        }
        Path tmp = Files.createTempFile(copy.getParent(), copy.getFileName().toString(), ".part");
        try {
            CRC32 crc = new CRC32();
            long written = 0;
            try (InputStream in = zip.getInputStream(e); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 20];
                for (int r; (r = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, r);
                    out.write(buf, 0, r);
                    written += r;
                }
            } catch (IOException ex) {
                throw new NpyFormatException(where + ": corrupt entry: inflating failed: " + ex.getMessage(), ex);
            }
            if (written != e.getSize() || crc.getValue() != e.getCrc()) {
                throw new NpyFormatException(where + ": corrupt entry: the zip directory says " + e.getSize()
                        + " bytes with CRC-32 " + Long.toHexString(e.getCrc()) + ", inflating gave " + written
                        + " bytes with CRC-32 " + Long.toHexString(crc.getValue()));
            }
            Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Parses the npy header of the {@code size}-byte array file at {@code offset} of {@code file} ({@link Npy#readHeader}). */
    private static NpyOnDisk read(Path file, long offset, long size, String where) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (offset < 0 || ch.size() < offset + size) {
                throw new NpyFormatException(where + ": truncated: the entry needs bytes up to " + (offset + size)
                        + ", the file " + file.getFileName() + " has " + ch.size());
            }
            // NOTE: only the entry's first bytes (at most 1 MiB) are read, so a header that overruns them reads as truncated
            ByteBuffer head = readAt(ch, offset, (int) Math.min(size, HEADER_BYTES_AT_MOST), where);
            Npy.Header h = Npy.readHeader(new ByteArrayInputStream(head.array(), 0, head.limit()), where);
            NpyOnDisk d = new NpyOnDisk(file, offset + h.headerBytes(), h.dtype().descr(), h.shape());
            if (h.dataBytes() != size - h.headerBytes()) {
                throw new NpyFormatException(where + ": corrupt entry: the header says " + d.descr() + " "
                        + java.util.Arrays.toString(d.shape()) + " = " + h.dataBytes() + " data bytes, the entry holds "
                        + (size - h.headerBytes()));
            }
            return d;
        }
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int n, String where) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new NpyFormatException(where + ": truncated npy header");
            }
        }
        return b.flip();
    }
}
