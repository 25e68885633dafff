package org.gradlab.challenge.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.NpyFormatException;
import org.gradlab.engine.io.Npz;
import org.gradlab.nn.data.Batch;
import org.gradlab.nn.data.DataLoader;
import org.gradlab.nn.data.transforms.Compose;
import org.gradlab.nn.data.transforms.RandomHorizontalFlip;
import org.gradlab.nn.data.transforms.RandomRotation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Splits read from disk image by image (memory-mapped) give the same images and the same batches as splits loaded into
 * memory. The threshold is lowered through {@code gradlab.streamSplitBytes} so small files take the streaming path,
 * and {@code gradlab.mapChunkBytes} makes several mapped buffers.
 */
class StreamedSplitTest {
    private static final int IMAGE = 28 * 28 * 3;

    @TempDir
    Path tmp;

    @AfterEach
    void clearProperties() {
        System.clearProperty(MedMnist.STREAM_PROPERTY);
        System.clearProperty(MedMnist.CHUNK_PROPERTY);
    }

    private static MedMnist streamed(Path npz, int imagesPerChunk) throws IOException {
        System.setProperty(MedMnist.STREAM_PROPERTY, "0");
        System.setProperty(MedMnist.CHUNK_PROPERTY, Integer.toString(imagesPerChunk * IMAGE + 5)); // not a whole number
        try {
            return MedMnist.load(npz);
        } finally {
            System.clearProperty(MedMnist.STREAM_PROPERTY);
            System.clearProperty(MedMnist.CHUNK_PROPERTY);
        }
    }

    /** The same arrays as {@code compressed}, written without compression (as {@code np.savez}). */
    private Path stored(Path compressed) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        try (Npz z = Npz.open(compressed)) {
            for (String k : z.keys()) {
                arrays.put(k, z.get(k));
            }
        }
        Path out = tmp.resolve("stored.npz");
        Npz.write(out, arrays, false);
        return out;
    }

    @Test
    void storedAndCompressedEntriesReadTheSameImagesAsInMemory() throws Exception {
        Path compressed = SyntheticMedMnist.write(tmp, 50, 20, 20, 3);
        MedMnist memory = MedMnist.load(compressed);
        for (Path file : List.of(stored(compressed), compressed)) {
            MedMnist disk = streamed(file, 7);
            for (String s : MedMnist.SPLITS) {
                Split m = memory.split(s);
                Split d = disk.split(s);
                assertTrue(m.inMemory());
                assertFalse(d.inMemory(), file.getFileName() + " " + s + " is memory-mapped");
                assertEquals(m.n(), d.n());
                assertArrayEquals(m.labels(), d.labels());
                for (int i = 0; i < m.n(); i++) {
                    assertEquals(m.image(i), d.image(i), s + " image " + i);
                }
                assertEquals(m.pixel(4, 3, 2, 1), d.pixel(4, 3, 2, 1));
                assertTrue(assertThrows(IllegalStateException.class, d::images).getMessage()
                        .contains("read from disk image by image"));
            }
            assertEquals((50 + 6) / 7, ((MappedImages) disk.train().pixels()).chunkCount(), "several mapped buffers");
        }
        // the compressed entries were inflated once beside the npz and are mapped from there on every later load
        List<Path> copies = new ArrayList<>();
        try (var files = Files.list(tmp)) {
            files.filter(p -> p.getFileName().toString().matches("synthetic_dermamnist\\.\\w+_images\\.[0-9a-f]{8}\\.npy"))
                    .forEach(copies::add);
        }
        assertEquals(3, copies.size(), "one unpacked copy per image entry: " + copies);
        Path train = copies.stream().filter(p -> p.toString().contains(".train_images.")).findFirst().orElseThrow();
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(train);
        Files.setLastModifiedTime(train, java.nio.file.attribute.FileTime.fromMillis(written.toMillis() - 60_000));
        MedMnist again = streamed(compressed, 7);
        assertEquals(written.toMillis() - 60_000, Files.getLastModifiedTime(train).toMillis(), "the copy was reused");
        assertEquals(memory.train().image(49), again.train().image(49));
    }

    /** Cross-validation joins and subsets splits: views of mapped images read the same as copies of loaded ones. */
    @Test
    void joinedAndSubsetStreamedSplitsMatchInMemory() throws Exception {
        Path compressed = SyntheticMedMnist.write(tmp, 30, 12, 12, 6);
        MedMnist memory = MedMnist.load(compressed);
        MedMnist disk = streamed(stored(compressed), 5);
        Split m = StratifiedKFold.concat("trainval", memory.train(), memory.val());
        Split d = StratifiedKFold.concat("trainval", disk.train(), disk.val());
        assertFalse(d.inMemory());
        int[] idx = {41, 0, 29, 30, 7, 7};
        Split ms = StratifiedKFold.subset("fold", m, idx);
        Split ds = StratifiedKFold.subset("fold", d, idx);
        assertArrayEquals(ms.labels(), ds.labels());
        for (int i = 0; i < idx.length; i++) {
            assertEquals(ms.image(i), ds.image(i), "fold image " + i);
        }
        assertEquals(m.image(35), d.image(35), "a validation image after the training ones");
    }

    @Test
    void theDataLoaderGivesByteIdenticalBatches() throws Exception {
        Path compressed = SyntheticMedMnist.write(tmp, 45, 10, 10, 5);
        List<float[]> inMemory = batches(MedMnist.load(compressed).train());
        List<float[]> fromDisk = batches(streamed(stored(compressed), 4).train());
        assertEquals(inMemory.size(), fromDisk.size());
        for (int i = 0; i < inMemory.size(); i++) {
            assertArrayEquals(inMemory.get(i), fromDisk.get(i), 0f, "batch " + i);
        }
    }

    /** Two epochs of shuffled, augmented batches read by two workers. */
    private static List<float[]> batches(Split s) {
        List<float[]> out = new ArrayList<>();
        try (DataLoader dl = DataLoader.builder(s.dataset()).batchSize(8).shuffle(true).seed(11).workers(2)
                .transform(Compose.of(new RandomHorizontalFlip(0.5), new RandomRotation(15))).build()) {
            for (int e = 0; e < 2; e++) {
                for (Batch b : dl.epoch(e)) {
                    try (b) {
                        out.add(b.images().toFloatArray());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void corruptEntriesNameTheFileAndKey() throws Exception {
        Path compressed = SyntheticMedMnist.write(tmp, 30, 10, 10, 4);
        // a flipped byte in the middle of the compressed train_images
        Path flipped = tmp.resolve("flipped.npz");
        Files.copy(compressed, flipped);
        long at;
        long len;
        try (ZipFile z = ZipFile.builder().setPath(flipped).get()) {
            ZipArchiveEntry e = z.getEntry("train_images.npy");
            z.getRawInputStream(e).close();
            at = e.getDataOffset();
            len = e.getCompressedSize();
        }
        byte[] bytes = Files.readAllBytes(flipped);
        for (long i = at + len / 3; i < at + len / 3 + 16; i++) {
            bytes[(int) i] ^= 0x5A;
        }
        Files.write(flipped, bytes);
        String m = assertThrows(NpyFormatException.class, () -> streamed(flipped, 7)).getMessage();
        assertTrue(m.startsWith(tmp.getFileName() + "/flipped.npz[train_images]: corrupt entry"), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        // a stored entry whose npy header promises more images than the entry holds
        Path stored = stored(compressed);
        byte[] s = Files.readAllBytes(stored);
        String text = new String(s, java.nio.charset.StandardCharsets.ISO_8859_1);
        int shape = text.indexOf("'shape': (30, 28, 28, 3)");
        s[shape + "'shape': (".length() + 1] = '1'; // (31, 28, 28, 3)
        Path header = tmp.resolve("header.npz");
        Files.write(header, s);
        m = assertThrows(NpyFormatException.class, () -> streamed(header, 7)).getMessage();
        assertEquals(tmp.getFileName() + "/header.npz[train_images]: corrupt entry: the header says |u1 [31, 28, 28, 3] = "
                + 31 * IMAGE + " data bytes, the entry holds " + 30 * IMAGE, m);
        // a truncated download: the zip's directory is gone
        Path cut = tmp.resolve("cut.npz");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(stored), Files.readAllBytes(stored).length / 2));
        m = assertThrows(NpyFormatException.class, () -> streamed(cut, 7)).getMessage();
        assertTrue(m.startsWith(tmp.getFileName() + "/cut.npz: not a valid npz (truncated or corrupt zip)"), m);
    }
}
