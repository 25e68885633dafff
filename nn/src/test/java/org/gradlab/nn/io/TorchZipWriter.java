package org.gradlab.nn.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.gradlab.engine.Tensor;

/**
 * Test helper: writes a state dict as PyTorch's zip checkpoint ({@code torch.save(sd)} layout:
 * {@code archive/data.pkl}, one {@code archive/data/<i>} float32 storage per tensor), pickled
 * with protocol 2 opcodes the way torch.save does ({@code _rebuild_tensor_v2} on a persistent
 * storage id), so {@link TorchCheckpoint} reads it like a downloaded torchvision file.
 */
final class TorchZipWriter {
    private TorchZipWriter() {
    }

    static void write(Path file, Map<String, Tensor> stateDict) throws IOException {
        ByteArrayOutputStream pk = new ByteArrayOutputStream();
        pk.write(0x80);
        pk.write(2);
        global(pk, "collections", "OrderedDict");
        pk.write(')');
        pk.write('R');
        pk.write('(');
        int i = 0;
        byte[][] storages = new byte[stateDict.size()][];
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            Tensor t = e.getValue();
            int[] shape = t.shape();
            unicode(pk, e.getKey());
            global(pk, "torch._utils", "_rebuild_tensor_v2");
            pk.write('(');
            pk.write('(');
            unicode(pk, "storage");
            global(pk, "torch", "FloatStorage");
            unicode(pk, Integer.toString(i));
            unicode(pk, "cpu");
            integer(pk, Math.toIntExact(t.numel()));
            pk.write('t');
            pk.write('Q'); // BINPERSID
            integer(pk, 0); // storage offset
            pk.write('(');
            for (int d : shape) {
                integer(pk, d);
            }
            pk.write('t');
            pk.write('(');
            int stride = 1;
            int[] strides = new int[shape.length];
            for (int d = shape.length - 1; d >= 0; d--) {
                strides[d] = stride;
                stride *= shape[d];
            }
            for (int s : strides) {
                integer(pk, s);
            }
            pk.write('t');
            pk.write(0x89); // requires_grad False
            global(pk, "collections", "OrderedDict");
            pk.write(')');
            pk.write('R');
            pk.write('t');
            pk.write('R');
            float[] v = t.toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putFloat(f);
            }
            storages[i++] = b.array();
        }
        pk.write('u');
        pk.write('.');
        try (ZipOutputStream zos = new ZipOutputStream(Files.newOutputStream(file))) {
            zos.putNextEntry(new ZipEntry("archive/data.pkl"));
            zos.write(pk.toByteArray());
            zos.closeEntry();
            for (int s = 0; s < storages.length; s++) {
                zos.putNextEntry(new ZipEntry("archive/data/" + s));
                zos.write(storages[s]);
                zos.closeEntry();
            }
        }
    }

    private static void global(ByteArrayOutputStream o, String module, String name) {
        o.write('c');
        o.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write('X');
        o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        o.writeBytes(b);
    }

    /** BININT1 below 256, else BININT (4 bytes little-endian). */
    private static void integer(ByteArrayOutputStream o, int v) {
        if (v >= 0 && v < 256) {
            o.write('K');
            o.write(v);
        } else {
            o.write('J');
            o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }
    }
}
