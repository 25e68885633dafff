package org.gradlab.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TorchCheckpointTest {
    @TempDir
    Path dir;

    static final String PREFIX = "model.f32.init.";

    @ParameterizedTest
    @ValueSource(strings = {"golden/pth/model08.pth", "golden/pth/model08-legacy.pth"})
    void loadsEveryTensorOfModel08(String rel) throws Exception {
        LinkedHashMap<String, Tensor> sd = TorchCheckpoint.load(SharedFiles.file(rel));
        try (Npz z = Npz.open(SharedFiles.file("golden/model08.npz"))) {
            List<String> expected = new ArrayList<>();
            for (String k : z.keys()) {
                if (k.startsWith(PREFIX)) {
                    expected.add(k.substring(PREFIX.length()));
                }
            }
            assertEquals(23, expected.size());
            assertEquals(expected, new ArrayList<>(sd.keySet()), "keys in state_dict order");
            for (String k : expected) {
                NpyArray ref = z.get(PREFIX + k);
                Tensor t = sd.get(k);
                if (k.endsWith("num_batches_tracked")) {
                    assertEquals(DType.F64, t.dtype());
                    assertEquals(0, t.dim(), "0-d int64 stays 0-d");
                    assertEquals(ref.toLongs()[0], (long) t.item());
                } else {
                    assertEquals(DType.F32, t.dtype(), k);
                    assertArrayEquals(ref.shape(), t.shape(), k);
                    assertArrayEquals(ref.toFloats(), t.toFloatArray(), 0f, k);
                }
            }
        }
    }

    @Test
    void truncatedFilesGiveClearErrors() throws Exception {
        for (String rel : new String[] {"golden/pth/model08.pth", "golden/pth/model08-legacy.pth"}) {
            byte[] all = Files.readAllBytes(SharedFiles.file(rel));
            for (int len : new int[] {2, 100, all.length / 2, all.length - 10}) {
                Path f = dir.resolve("cut-" + len + ".pth");
                Files.write(f, Arrays.copyOf(all, len));
                expectError(f);
            }
        }
    }

    @Test
    void corruptPickleGivesClearErrors() throws Exception {
        Path src = SharedFiles.file("golden/pth/model08.pth");
        // 1) bytes flipped inside data.pkl of the zip: the entry CRC no longer matches
        byte[] all = Files.readAllBytes(src);
        int at = indexOf(all, "collections".getBytes()) + 40;
        byte[] c = all.clone();
        for (int i = 0; i < 16; i++) {
            c[at + i] ^= (byte) 0xA5;
        }
        Path f = dir.resolve("flipped.pth");
        Files.write(f, c);
        assertTrue(expectError(f).getMessage().contains("CRC"));
        // 2) the same corruption re-zipped with valid CRCs: the unpickler itself must fail cleanly
        for (int off : new int[] {150, 600, 1500, 2383}) { // structural bytes (a flipped key name would still be a valid pickle)
            Path g = dir.resolve("rezipped-" + off + ".pth");
            rezipWithCorruptPickle(src, g, off);
            expectError(g);
        }
        // 3) legacy: corrupt the main pickle
        byte[] leg = Files.readAllBytes(SharedFiles.file("golden/pth/model08-legacy.pth"));
        int p = indexOf(leg, "features.0.weight".getBytes());
        for (int i = -6; i < 10; i++) {
            leg[p + i] ^= (byte) 0x5A;
        }
        Path h = dir.resolve("legacy-corrupt.pth");
        Files.write(h, leg);
        expectError(h);
        Path text = dir.resolve("notes.pth");
        Files.writeString(text, "hello, not a checkpoint");
        assertTrue(expectError(text).getMessage().contains("neither a zip"));
    }

    /** A hand-assembled zip checkpoint: a transposed view with a storage offset, float64 and int64 entries. */
    @Test
    void stridedViewsOffsetsAndDtypesFromHandBuiltPickle() throws Exception {
        ByteArrayOutputStream pk = new ByteArrayOutputStream();
        pk.write(new byte[] {(byte) 0x80, 2});
        global(pk, "collections", "OrderedDict");
        pk.write(new byte[] {')', 'R', '('});
        String[][] entries = {{"w", "FloatStorage", "0", "1", "2,2", "1,2"}, {"d", "DoubleStorage", "1", "0", "3", "1"},
                {"n", "LongStorage", "2", "0", "", ""}};
        for (String[] e : entries) {
            unicode(pk, e[0]);
            global(pk, "torch._utils", "_rebuild_tensor_v2");
            pk.write('(');
            pk.write('(');
            unicode(pk, "storage");
            global(pk, "torch", e[1]);
            unicode(pk, e[2]);
            unicode(pk, "cpu");
            pk.write(new byte[] {'K', 6, 't', 'Q'});
            pk.write(new byte[] {'K', (byte) Integer.parseInt(e[3])});
            for (String tuple : new String[] {e[4], e[5]}) {
                pk.write('(');
                for (String v : tuple.isEmpty() ? new String[0] : tuple.split(",")) {
                    pk.write(new byte[] {'K', (byte) Integer.parseInt(v)});
                }
                pk.write('t');
            }
            pk.write(0x89);
            global(pk, "collections", "OrderedDict");
            pk.write(new byte[] {')', 'R', 't', 'R'});
        }
        pk.write(new byte[] {'u', '.'});
        java.nio.ByteBuffer f = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.nio.ByteBuffer d = java.nio.ByteBuffer.allocate(48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.nio.ByteBuffer n = java.nio.ByteBuffer.allocate(48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            f.putFloat(i);
            d.putDouble(i + 0.5);
            n.putLong(100 + i);
        }
        Path file = dir.resolve("hand.pth");
        try (ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(file))) {
            String[] names = {"ck/data.pkl", "ck/data/0", "ck/data/1", "ck/data/2"};
            byte[][] blobs = {pk.toByteArray(), f.array(), d.array(), n.array()};
            for (int i = 0; i < names.length; i++) {
                zos.putNextEntry(new ZipEntry(names[i]));
                zos.write(blobs[i]);
                zos.closeEntry();
            }
        }
        LinkedHashMap<String, Tensor> sd = TorchCheckpoint.load(file);
        assertEquals(List.of("w", "d", "n"), new ArrayList<>(sd.keySet()));
        assertArrayEquals(new int[] {2, 2}, sd.get("w").shape());
        assertArrayEquals(new float[] {1, 3, 2, 4}, sd.get("w").toFloatArray(), 0f); // data[1 + i + 2j]
        assertEquals(DType.F64, sd.get("d").dtype());
        assertArrayEquals(new double[] {0.5, 1.5, 2.5}, sd.get("d").toDoubleArray(), 0.0);
        assertEquals(0, sd.get("n").dim());
        assertEquals(100.0, sd.get("n").item());
    }

    static void global(ByteArrayOutputStream o, String module, String name) {
        o.write('c');
        o.writeBytes((module + "\n" + name + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static void unicode(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        o.write('X');
        o.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        o.writeBytes(b);
    }

    @Test
    void keyMapperSkipsDifferentHead() {
        Map<String, Tensor> src = new LinkedHashMap<>();
        src.put("conv1.weight", Tensor.zeros(2, 3, 1, 1));
        src.put("bn1.num_batches_tracked", Tensor.zeros(DType.F64, org.gradlab.engine.Device.CPU));
        src.put("fc.weight", Tensor.zeros(1000, 2));
        src.put("fc.bias", Tensor.zeros(1000));
        src.put("extra.thing", Tensor.zeros(1));
        Map<String, int[]> target = new LinkedHashMap<>();
        target.put("conv1.weight", new int[] {2, 3, 1, 1});
        target.put("bn1.num_batches_tracked", new int[] {1});
        target.put("fc.weight", new int[] {7, 2});
        target.put("fc.bias", new int[] {7});
        target.put("layer1.0.conv1.weight", new int[] {2, 2, 3, 3});
        KeyMapper.Result r = KeyMapper.torchvisionResNet18().apply(src, target);
        assertEquals(List.of("conv1.weight", "bn1.num_batches_tracked"), new ArrayList<>(r.mapped().keySet()));
        assertEquals(2, r.skipped().size());
        assertTrue(r.skipped().get(0).startsWith("fc.weight [1000,2] vs model [7,2]"), r.skipped().toString());
        assertEquals(List.of("layer1.0.conv1.weight"), r.missing());
        assertEquals(List.of("extra.thing"), r.unexpected());
        assertTrue(r.report().contains("fc.bias"));
        // same head shape: kept
        target.put("fc.weight", new int[] {1000, 2});
        target.put("fc.bias", new int[] {1000});
        assertTrue(KeyMapper.torchvisionResNet18().apply(src, target).mapped().containsKey("fc.weight"));
        // mismatch outside the head is an error; renames apply first
        target.put("conv1.weight", new int[] {4, 3, 1, 1});
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> KeyMapper.torchvisionResNet18().apply(src, target));
        assertTrue(ex.getMessage().contains("conv1.weight"));
        Map<String, int[]> renamed = Map.of("stem.conv.weight", new int[] {2, 3, 1, 1});
        assertEquals(List.of("stem.conv.weight"),
                new ArrayList<>(KeyMapper.identity().rename("conv1.", "stem.conv.").apply(src, renamed).mapped().keySet()));
    }

    static CheckpointFormatException expectError(Path f) {
        CheckpointFormatException ex = assertThrows(CheckpointFormatException.class, () -> TorchCheckpoint.load(f));
        assertTrue(ex.getMessage().contains(f.toString()), ex.getMessage());
        System.out.println("expected error: " + ex.getMessage().replace(f.getParent().toString(), "<tmp>"));
        return ex;
    }

    static int indexOf(byte[] a, byte[] pat) {
        outer:
        for (int i = 0; i + pat.length <= a.length; i++) {
            for (int j = 0; j < pat.length; j++) {
                if (a[i + j] != pat[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found");
    }

    static void rezipWithCorruptPickle(Path src, Path dst, int off) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipFile zf = new ZipFile(src.toFile()); ZipOutputStream zos = new ZipOutputStream(bos)) {
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                byte[] b = zf.getInputStream(e).readAllBytes();
                if (e.getName().endsWith("data.pkl")) {
                    for (int i = 0; i < 8; i++) {
                        b[off + i] ^= (byte) 0xC3;
                    }
                }
                ZipEntry o = new ZipEntry(e.getName());
                o.setMethod(ZipEntry.STORED);
                o.setSize(b.length);
                CRC32 crc = new CRC32();
                crc.update(b);
                o.setCrc(crc.getValue());
                zos.putNextEntry(o);
                zos.write(b);
                zos.closeEntry();
            }
        }
        Files.write(dst, bos.toByteArray());
    }
}
