package org.gradlab.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripF32AndF64WithMetadata() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(new float[] {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, Float.MIN_VALUE, -0f}, 2, 3));
        m.put("d", Tensor.of(new double[] {Math.PI, -1e300, 4.9e-324}, 3));
        m.put("scalar", Tensor.of(DType.F64, Device.CPU, new double[] {7}));
        m.put("empty", Tensor.zeros(DType.F32, Device.CPU, 0, 4));
        m.put("t", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1)); // non-contiguous view
        Path f = dir.resolve("m.safetensors");
        SafeTensors.save(f, m, Map.of("format", "pt", "epoch", "3"));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(m.keySet().stream().toList(), c.tensors().keySet().stream().toList());
        for (String k : m.keySet()) {
            Tensor a = m.get(k);
            Tensor b = c.tensors().get(k);
            assertEquals(a.dtype(), b.dtype(), k);
            assertArrayEquals(a.shape(), b.shape(), k);
            assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0.0, k);
        }
        assertEquals(Map.of("format", "pt", "epoch", "3"), c.metadata());
        assertEquals(0, Float.compare(-0f, c.tensors().get("w").toFloatArray()[5]), "-0 preserved bit-exactly");
        assertEquals(1, Files.list(dir).count(), "no temporary file left behind");
        long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
    }

    /** The expected bytes are assembled by hand from the format description. */
    @Test
    void writerIsByteExactAgainstHandBuiltFile() throws Exception {
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[8,16]}}";
        byte[] h = json.getBytes(StandardCharsets.US_ASCII);
        int padded = (h.length + 7) / 8 * 8;
        ByteArrayOutputStream exp = new ByteArrayOutputStream();
        exp.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        exp.write(h);
        for (int i = h.length; i < padded; i++) {
            exp.write(' ');
        }
        // 1.0f = 0x3f800000, -2.0f = 0xc0000000, 0.5 = 0x3fe0000000000000, little-endian
        exp.write(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0});
        exp.write(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xe0, 0x3f});
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new float[] {1f, -2f}, 2));
        m.put("b", Tensor.of(new double[] {0.5}, 1, 1));
        Path f = dir.resolve("x.safetensors");
        SafeTensors.save(f, m, Map.of("k", "v"));
        assertArrayEquals(exp.toByteArray(), Files.readAllBytes(f));

        // and a hand-built file without padding, tensors listed out of data order, I64 data
        String j2 = "{\"z\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] h2 = j2.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer bb = ByteBuffer.allocate(8 + h2.length + 12).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h2.length).put(h2).putFloat(2.5f).putLong(42);
        Path g = dir.resolve("hand.safetensors");
        Files.write(g, bb.array());
        LinkedHashMap<String, Tensor> t = SafeTensors.load(g);
        assertEquals("[z, y]", t.keySet().toString());
        assertEquals(42.0, t.get("z").item());
        assertEquals(0, t.get("z").dim());
        assertEquals(2.5, t.get("y").item());
    }

    @Test
    void truncatedAndCorruptFilesGiveClearErrors() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new float[] {1, 2, 3, 4}, 4));
        Path f = dir.resolve("ok.safetensors");
        SafeTensors.save(f, m);
        byte[] all = Files.readAllBytes(f);

        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 3));
        expectError(cut, "truncated");
        Files.write(cut, Arrays.copyOf(all, 5));
        expectError(cut, "at least 8");
        Files.write(cut, Arrays.copyOf(all, 20));
        expectError(cut, "header length");

        Path bad = dir.resolve("bad.safetensors");
        byte[] c = all.clone();
        c[8] = 'x';
        Files.write(bad, c);
        expectError(bad, "JSON");
        String s = new String(all, StandardCharsets.ISO_8859_1).replace("F32", "F16");
        Files.write(bad, s.getBytes(StandardCharsets.ISO_8859_1));
        expectError(bad, "F16");
        s = new String(all, StandardCharsets.ISO_8859_1).replace("[0,16]", "[0,12]");
        Files.write(bad, s.getBytes(StandardCharsets.ISO_8859_1));
        expectError(bad, "needs 16");
        Files.write(bad, concat(all, new byte[] {1, 2, 3, 4}));
        expectError(bad, "cover");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static void expectError(Path f, String fragment) {
        CheckpointFormatException ex = assertThrows(CheckpointFormatException.class, () -> SafeTensors.load(f));
        assertTrue(ex.getMessage().contains(f.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains(fragment), "expected '" + fragment + "' in: " + ex.getMessage());
    }
}
