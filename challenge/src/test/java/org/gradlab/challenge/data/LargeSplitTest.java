package org.gradlab.challenge.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A MedMNIST+ file whose train split does not fit one Java array (2.15 GB of 224x224 RGB images, as np.savez stores
 * it) loads with the default settings and reads its first and last image. The file is sparse: only the headers and
 * the two marked images take disk space, so the test is fast and disk-cheap where the file system has holes.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class LargeSplitTest {
    private static final int SIDE = 224;
    private static final int IMAGE = SIDE * SIDE * 3;
    private static final int TRAIN = 14_300; // 14,300 * 150,528 bytes = 2,152,550,400 > 2^31 - 1

    @Test
    void aSplitLargerThanOneJavaArrayIsMemoryMapped(@TempDir Path tmp) throws IOException {
        Path npz = tmp.resolve("large_224.npz");
        byte[] first = marked(1);
        byte[] last = marked(7);
        try (FileChannel ch = FileChannel.open(npz, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            List<byte[]> central = new ArrayList<>();
            // train_images: header, first image, a hole, last image
            byte[] header = npyHeader(new int[] {TRAIN, SIDE, SIDE, 3});
            long size = header.length + (long) TRAIN * IMAGE;
            long local = ch.position();
            ch.write(ByteBuffer.wrap(localHeader("train_images.npy", 0, size)));
            long data = ch.position();
            ch.write(ByteBuffer.wrap(header));
            ch.write(ByteBuffer.wrap(first));
            ch.position(data + header.length + (long) (TRAIN - 1) * IMAGE);
            ch.write(ByteBuffer.wrap(last));
            central.add(centralHeader("train_images.npy", 0, size, local));
            byte[] labels = new byte[TRAIN];
            labels[TRAIN - 1] = 1;
            entry(ch, central, "train_labels.npy", Npy.toBytes(NpyArray.ofBytes(new int[] {TRAIN, 1}, labels)));
            for (String s : new String[] {"val", "test"}) {
                entry(ch, central, s + "_images.npy", Npy.toBytes(NpyArray.ofBytes(new int[] {2, SIDE, SIDE, 3}, new byte[2 * IMAGE])));
                entry(ch, central, s + "_labels.npy", Npy.toBytes(NpyArray.ofBytes(new int[] {2, 1}, new byte[] {0, 1})));
            }
            long cd = ch.position();
            for (byte[] c : central) {
                ch.write(ByteBuffer.wrap(c));
            }
            ByteBuffer end = le(22).putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) central.size()).putShort((short) central.size())
                    .putInt((int) (ch.position() - cd)).putInt((int) cd).putShort((short) 0);
            ch.write(end.flip());
        }
        MedMnist m = MedMnist.load(npz, SIDE, 2);
        Split train = m.train();
        assertFalse(train.inMemory(), "2.15 GB are memory-mapped, not loaded");
        assertEquals(TRAIN, train.n());
        assertEquals(2, ((MappedImages) train.pixels()).chunkCount(), "more than one 2 GiB buffer");
        assertArrayEquals(first, train.image(0).pixels());
        assertArrayEquals(last, train.image(TRAIN - 1).pixels());
        assertArrayEquals(new byte[IMAGE], train.image(TRAIN / 2).pixels(), "the hole reads as zeros");
        assertEquals(1, train.labels()[TRAIN - 1]);
        assertTrue(m.val().inMemory(), "small splits stay in memory");
    }

    private static byte[] marked(int seed) {
        byte[] b = new byte[IMAGE];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * seed + seed);
        }
        return b;
    }

    /** An npy v1.0 header for uint8 data of {@code shape}, padded to a multiple of 64 bytes as NumPy writes it. */
    private static byte[] npyHeader(int[] shape) {
        String dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + shape[0] + ", " + shape[1] + ", " + shape[2]
                + ", " + shape[3] + "), }";
        String h = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length(), (byte) (h.length() >> 8)});
        out.writeBytes(h.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static void entry(FileChannel ch, List<byte[]> central, String name, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(data);
        long local = ch.position();
        ch.write(ByteBuffer.wrap(localHeader(name, crc.getValue(), data.length)));
        ch.write(ByteBuffer.wrap(data));
        central.add(centralHeader(name, crc.getValue(), data.length, local));
    }

    /** A STORED entry's local header; NOTE: the big entry's CRC is left 0 (a stored entry is mapped, not checked). */
    private static byte[] localHeader(String name, long crc, long size) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        return le(30 + n.length).putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0x21).putInt((int) crc).putInt((int) size).putInt((int) size)
                .putShort((short) n.length).putShort((short) 0).put(n).array();
    }

    private static byte[] centralHeader(String name, long crc, long size, long local) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        return le(46 + n.length).putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0x21).putInt((int) crc).putInt((int) size)
                .putInt((int) size).putShort((short) n.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putInt(0).putInt((int) local).put(n).array();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
