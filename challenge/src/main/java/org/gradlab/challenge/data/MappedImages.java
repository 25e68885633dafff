package org.gradlab.challenge.data;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Images memory-mapped from a file: {@code count} images of {@code imageBytes} bytes back to back from
 * {@code dataOffset} (an npy array's data, inside an npz stored without compression or in its unpacked copy). The
 * operating system pages them in as they are read, so a split of any size costs no heap.
 *
 * <p>One {@link MappedByteBuffer} maps at most 2 GiB, so the images are mapped in chunks of whole images
 * ({@code chunkBytes} at most, {@code gradlab.mapChunkBytes}); an image never straddles two chunks.
 *
 * <p>NOTE: reads use the buffers' absolute bulk get, which leaves their position alone, so the data-loading workers
 * read concurrently without locks. A mapping lives until its buffer is garbage collected (Java has no unmap); it is
 * page cache, not heap or native memory the engine allocates.
 */
public final class MappedImages implements SplitImages {
    /** Default and upper bound of {@code gradlab.mapChunkBytes}: the largest buffer Java maps. */
    static final long MAX_CHUNK_BYTES = Integer.MAX_VALUE;

    private final Path file;
    private final int count;
    private final int imageBytes;
    private final int perChunk;
    private final MappedByteBuffer[] chunks;

    /** Maps {@code count} images of {@code imageBytes} bytes of {@code file} from {@code dataOffset}. */
    public MappedImages(Path file, long dataOffset, int count, int imageBytes, long chunkBytes) throws IOException {
        if (imageBytes <= 0 || chunkBytes < imageBytes) {
            throw new IllegalArgumentException("a map chunk of " + chunkBytes + " bytes cannot hold one image of "
                    + imageBytes + " bytes");
        }
        this.file = file;
        this.count = count;
        this.imageBytes = imageBytes;
        this.perChunk = (int) Math.min(Math.min(chunkBytes, MAX_CHUNK_BYTES) / imageBytes, Math.max(1, count));
        int n = (count + perChunk - 1) / perChunk;
        this.chunks = new MappedByteBuffer[n];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long need = dataOffset + (long) count * imageBytes;
            if (ch.size() < need) {
                throw new IOException(file + ": " + count + " images of " + imageBytes + " bytes need " + need
                        + " bytes, the file has " + ch.size() + " (truncated)");
            }
            for (int k = 0; k < n; k++) {
                int images = Math.min(perChunk, count - k * perChunk);
                chunks[k] = ch.map(FileChannel.MapMode.READ_ONLY, dataOffset + (long) k * perChunk * imageBytes,
                        (long) images * imageBytes);
            }
        }
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public void copy(int i, byte[] dst, int off) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(file + ": image " + i + " out of [0, " + count + ")");
        }
        chunks[i / perChunk].get((i % perChunk) * imageBytes, dst, off, imageBytes);
    }

    /** How many buffers map the images. */
    public int chunkCount() {
        return chunks.length;
    }

    /** The mapped file (the npz itself, or the unpacked copy of a compressed entry). */
    public Path file() {
        return file;
    }
}
