package org.gradlab.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzTest {
    @TempDir
    Path tmp;

    @Test
    void readsGoldenReluStoredZip64() throws Exception {
        try (Npz npz = Npz.open(SharedFiles.file("golden/relu.npz"))) {
            // file order as listed by `unzip -l`
            assertEquals(List.of("relu.f64.x", "relu.f64.out", "relu.f64.grad_out", "relu.f64.grad_x",
                    "relu.f32.x", "relu.f32.out", "relu.f32.grad_out", "relu.f32.grad_x"), npz.keys());
            NpyArray x64 = npz.get("relu.f64.x");
            NpyArray x32 = npz.get("relu.f32.x");
            NpyArray out = npz.get("relu.f64.out");
            // MANIFEST.json: relu.f64.x float64 [3,4,5,6]; relu.f32.x float32 [3,4,5,6]
            assertEquals(NpyDType.F8, x64.dtype());
            assertEquals(NpyDType.F4, x32.dtype());
            assertArrayEquals(new int[] {3, 4, 5, 6}, x64.shape());
            assertArrayEquals(new int[] {3, 4, 5, 6}, x32.shape());
            double[] xd = x64.toDoubles();
            float[] xf = x32.toFloats();
            double[] o = out.toDoubles();
            for (int i = 0; i < xd.length; i++) {
                assertEquals(xd[i], xf[i], 0.0, "f32 and f64 inputs are bit-identical up-casts");
                assertEquals(Math.max(xd[i], 0.0), o[i], 0.0);
            }
        }
    }

    @Test
    void readsGoldenConv2dShapesFromManifest() throws Exception {
        try (Npz npz = Npz.open(SharedFiles.file("golden/conv2d.npz"))) {
            assertEquals(200, npz.keys().size());
            // MANIFEST.json: dw_k3s1p1_bias.f32.weight float32 [4,1,3,3]; .f64.bias float64 [4]; .f32.x [2,4,8,7]
            NpyArray w = npz.get("dw_k3s1p1_bias.f32.weight");
            assertEquals(NpyDType.F4, w.dtype());
            assertArrayEquals(new int[] {4, 1, 3, 3}, w.shape());
            NpyArray b = npz.get("dw_k3s1p1_bias.f64.bias");
            assertEquals(NpyDType.F8, b.dtype());
            assertEquals("(4,)", b.shapeString());
            assertArrayEquals(new int[] {2, 4, 8, 7}, npz.get("dw_k3s1p1_bias.f32.x").shape());

            NpyFormatException e = assertThrows(NpyFormatException.class, () -> npz.get("dw_k3s1p1_bias.f64.nope"));
            assertTrue(e.getMessage().startsWith("golden/conv2d.npz has no key 'dw_k3s1p1_bias.f64.nope'"), e.getMessage());
            assertTrue(e.getMessage().contains("keys starting with 'dw_k3s1p1_bias.': "), e.getMessage());
            assertTrue(e.getMessage().contains("dw_k3s1p1_bias.f64.out"), e.getMessage());
        }
    }

    @Test
    void readsDeflatedBreastMnist() throws Exception {
        try (Npz npz = Npz.open(SharedFiles.file("data/breastmnist.npz"))) {
            assertTrue(npz.has("train_images"));
            assertFalse(npz.has("train_images.npy"));
            NpyArray img = npz.get("train_images");
            assertEquals(NpyDType.U1, img.dtype());
            assertArrayEquals(new int[] {546, 28, 28}, img.shape());
            NpyArray lab = npz.get("train_labels");
            assertArrayEquals(new int[] {546, 1}, lab.shape());
            long[] l = lab.toLongs();
            assertTrue(Arrays.stream(l).allMatch(v -> v == 0 || v == 1));
            assertTrue(Arrays.stream(l).anyMatch(v -> v == 0) && Arrays.stream(l).anyMatch(v -> v == 1));
            int max = 0;
            for (int i = 0; i < img.numel(); i++) max = Math.max(max, img.getU8(i));
            assertTrue(max > 128, "pixel bytes are read unsigned");
        }
    }

    @Test
    void roundTripStoredAndCompressed() throws Exception {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("a.f32.x", NpyArray.ofFloats(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.NaN, 0, 1e-30f}));
        m.put("b", NpyArray.ofDoubles(new int[] {1}, new double[] {Math.PI}));
        m.put("c", NpyArray.ofLongs(new int[] {3}, new long[] {Long.MIN_VALUE, 0, 42}));
        m.put("d", NpyArray.ofBytes(new int[] {2, 2}, new byte[] {0, 1, (byte) 200, (byte) 255}));
        m.put("e", NpyArray.ofDoubles(new int[] {}, new double[] {7}));
        m.put("f", NpyArray.ofFloats(new int[] {0, 4}, new float[0]));
        for (boolean compress : new boolean[] {false, true}) {
            Path p = tmp.resolve("rt" + compress + ".npz");
            Npz.write(p, m, compress);
            try (Npz npz = Npz.open(p)) {
                assertEquals(List.copyOf(m.keySet()), npz.keys());
                for (var kv : m.entrySet()) {
                    NpyArray got = npz.get(kv.getKey());
                    assertEquals(kv.getValue().dtype(), got.dtype());
                    assertArrayEquals(kv.getValue().shape(), got.shape());
                    assertArrayEquals(kv.getValue().rawBytes(), got.rawBytes());
                }
                assertEquals(200, npz.get("d").getU8(2));
                assertArrayEquals(new long[] {0, 1, 200, 255}, npz.get("d").toLongs());
                assertEquals(Math.PI, npz.get("b").toDoubles()[0]);
                assertEquals(42.0f, npz.get("c").toFloats()[2]);
            }
        }
    }

    @Test
    void truncatedFileIsAClearError() throws Exception {
        byte[] all = Files.readAllBytes(SharedFiles.file("golden/relu.npz"));
        Path half = tmp.resolve("half.npz");
        Files.write(half, Arrays.copyOf(all, all.length / 2));
        NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npz.open(half));
        assertTrue(e.getMessage().contains("half.npz: not a valid npz (truncated or corrupt zip)"), e.getMessage());
    }

    @Test
    void corruptDataIsAClearError() throws Exception {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.5f;
        m.put("x", NpyArray.ofFloats(new int[] {1000}, v));
        for (boolean compress : new boolean[] {false, true}) {
            Path p = tmp.resolve("c" + compress + ".npz");
            Npz.write(p, m, compress);
            byte[] b = Files.readAllBytes(p);
            // flip bytes in the middle of the entry data (after local header + npy header)
            for (int i = 300; i < 340; i++) b[i] ^= 0x5A;
            Files.write(p, b);
            try (Npz npz = Npz.open(p)) {
                NpyFormatException e = assertThrows(NpyFormatException.class, () -> npz.get("x"));
                assertTrue(e.getMessage().startsWith(p.getParent().getFileName() + "/c" + compress + ".npz[x]: "),
                        e.getMessage());
                assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
            }
        }
    }

    @Test
    void badMagicAndSizeMismatchAreClearErrors() {
        byte[] good = Npy.toBytes(NpyArray.ofFloats(new int[] {3, 4}, new float[12]));
        assertEquals(0, good.length % 16);
        byte[] bad = good.clone();
        bad[1] = 'X';
        NpyFormatException e1 = assertThrows(NpyFormatException.class, () -> Npy.read(bad, "t.npy"));
        assertTrue(e1.getMessage().startsWith("t.npy: bad npy magic"), e1.getMessage());

        byte[] shortData = Arrays.copyOf(good, good.length - 8);
        NpyFormatException e2 = assertThrows(NpyFormatException.class, () -> Npy.read(shortData, "t.npy"));
        assertTrue(e2.getMessage().contains("header says <f4 (3, 4) = 48 data bytes, but only 40"), e2.getMessage());

        byte[] longData = Arrays.copyOf(good, good.length + 4);
        assertThrows(NpyFormatException.class, () -> Npy.read(longData, "t.npy"));
    }

    @Test
    void rejectsFortranOrderAndBigEndian() {
        String fortran = new String(Npy.toBytes(NpyArray.ofFloats(new int[] {2, 2}, new float[4])),
                java.nio.charset.StandardCharsets.ISO_8859_1).replace("False", "True ");
        NpyFormatException e1 = assertThrows(NpyFormatException.class,
                () -> Npy.read(fortran.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "f.npy"));
        assertTrue(e1.getMessage().contains("fortran_order=True is not supported"), e1.getMessage());

        String big = new String(Npy.toBytes(NpyArray.ofFloats(new int[] {2, 2}, new float[4])),
                java.nio.charset.StandardCharsets.ISO_8859_1).replace("'<f4'", "'>f4'");
        NpyFormatException e2 = assertThrows(NpyFormatException.class,
                () -> Npy.read(big.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "b.npy"));
        assertTrue(e2.getMessage().contains("big-endian dtype '>f4'"), e2.getMessage());
    }

    @Test
    void missingFileIsAnIoError() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Npz.open(tmp.resolve("nope.npz")));
    }

    @Test
    void checksumsMatchTheReadme() throws Exception {
        Path p = SharedFiles.file("data/breastmnist.npz");
        assertEquals("3a22d2a4625e7dd8903f0f59030e81a3d0c222bece2e5e10927456cb50efdec1", Checksums.sha256(p));
        assertEquals("750601b1f35ba3300ea97c75c52ff8f6", Checksums.md5(p));
    }
}
