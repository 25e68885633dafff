package org.gradlab.nn.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;

/**
 * The safetensors format (https://github.com/huggingface/safetensors):
 *
 * <pre>
 * [8 bytes: N, unsigned little-endian]  [N bytes: UTF-8 JSON header]  [data]
 * header = {"__metadata__": {"k": "v", ...},           (optional, string values)
 *           "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 * </pre>
 *
 * Offsets are bytes relative to the start of the data section; data is row-major little-endian;
 * the tensors must cover the data section exactly (no holes, no overlap). The writer emits the
 * compact JSON of {@code __metadata__} (if any) then the tensors in map order with the keys
 * {@code dtype, shape, data_offsets}, padded with spaces to a multiple of 8 bytes (as the
 * reference implementation does), and writes atomically (temporary file in the same folder, then
 * rename). Reading supports F32, F64 and I64 (NOTE: I64 is loaded as an F64 tensor; exact for
 * |v| <= 2^53).
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    public static void save(Path file, Map<String, Tensor> tensors) throws IOException {
        save(file, tensors, Map.of());
    }

    /** Writes {@code tensors} (F32/F64, any layout, any device) and string metadata atomically. */
    public static void save(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("safetensors: invalid tensor name '" + e.getKey() + "'");
            }
            Tensor t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype() == DType.F32 ? "F32" : "F64");
            ArrayNode shape = n.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            long end = offset + t.numel() * t.dtype().bytes();
            n.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        writeAtomically(file, ch -> {
            writeFully(ch, head);
            for (Tensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numel() * t.dtype().bytes())).order(ByteOrder.LITTLE_ENDIAN);
                if (t.dtype() == DType.F32) {
                    b.asFloatBuffer().put(t.toFloatArray());
                } else {
                    b.asDoubleBuffer().put(t.toDoubleArray());
                }
                writeFully(ch, b);
            }
        });
    }

    /** Loads every tensor (CPU), in header order. */
    public static LinkedHashMap<String, Tensor> load(Path file) throws IOException {
        return read(file).tensors();
    }

    /** The {@code __metadata__} map (empty if absent). */
    public static Map<String, String> metadata(Path file) throws IOException {
        return read(file).metadata();
    }

    /** Tensors and metadata of one file. */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {}

    public static Contents read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 8) {
            throw new CheckpointFormatException(file, "safetensors file is " + all.length + " bytes, expected at least 8 (header length)");
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        if (n <= 0 || n > MAX_HEADER || n > all.length - 8) {
            throw new CheckpointFormatException(file, "safetensors header length " + Long.toUnsignedString(n) + " does not fit the "
                    + (all.length - 8) + " bytes after the length field (truncated or not a safetensors file)");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        } catch (JsonProcessingException ex) {
            throw new CheckpointFormatException(file, "safetensors header is not valid JSON", ex);
        }
        if (header == null || !header.isObject()) {
            throw new CheckpointFormatException(file, "safetensors header must be a JSON object");
        }
        int dataStart = 8 + (int) n;
        long dataLen = all.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new CheckpointFormatException(file, "__metadata__ must be an object of strings");
                }
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String dtype = v.path("dtype").asText("");
            int elemBytes;
            switch (dtype) {
                case "F32": elemBytes = 4; break;
                case "F64": case "I64": elemBytes = 8; break;
                default: throw new CheckpointFormatException(file, "tensor '" + name + "': unsupported or missing dtype '" + dtype
                        + "' (supported: F32, F64, I64)");
            }
            JsonNode sh = v.path("shape");
            JsonNode off = v.path("data_offsets");
            if (!sh.isArray() || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
                throw new CheckpointFormatException(file, "tensor '" + name + "': expected \"shape\": [..] and \"data_offsets\": [begin, end]");
            }
            int[] shape = new int[sh.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                if (!sh.get(i).canConvertToInt() || sh.get(i).asInt() < 0) {
                    throw new CheckpointFormatException(file, "tensor '" + name + "': invalid shape " + sh);
                }
                shape[i] = sh.get(i).asInt();
                numel *= shape[i];
            }
            long b = off.get(0).asLong();
            long end = off.get(1).asLong();
            if (b < 0 || end < b || end - b != numel * elemBytes) {
                throw new CheckpointFormatException(file, "tensor '" + name + "': data_offsets " + off + " hold " + (end - b)
                        + " bytes but " + dtype + " shape " + sh + " needs " + numel * elemBytes);
            }
            if (end > dataLen) {
                throw new CheckpointFormatException(file, "tensor '" + name + "' needs bytes [" + b + ", " + end + ") of the data section "
                        + "but it has only " + dataLen + " bytes (truncated file)");
            }
            ranges.add(new long[] {b, end});
            ByteBuffer d = ByteBuffer.wrap(all, dataStart + (int) b, (int) (end - b)).slice().order(ByteOrder.LITTLE_ENDIAN);
            int count = (int) numel;
            if (dtype.equals("F32")) {
                float[] f = new float[count];
                d.asFloatBuffer().get(f);
                out.put(name, Tensor.of(f, shape));
            } else {
                double[] x = new double[count];
                if (dtype.equals("F64")) {
                    d.asDoubleBuffer().get(x);
                } else {
                    for (int i = 0; i < count; i++) {
                        x[i] = d.getLong(i * 8);
                    }
                }
                out.put(name, Tensor.of(DType.F64, Device.CPU, x, shape));
            }
        }
        ranges.sort((p, q) -> Long.compare(p[0], q[0]));
        long expect = 0;
        for (long[] r : ranges) {
            if (r[0] != expect && r[1] != r[0]) {
                throw new CheckpointFormatException(file, "tensor data " + (r[0] < expect ? "overlaps" : "has a hole") + " at byte " + expect
                        + " of the data section");
            }
            expect = Math.max(expect, r[1]);
        }
        if (expect != dataLen) {
            throw new CheckpointFormatException(file, "data section has " + dataLen + " bytes but the tensors cover " + expect);
        }
        return new Contents(out, metadata);
    }

    // ------------------------------------------------------------------ atomic writes

    interface ChannelWriter {
        void write(FileChannel ch) throws IOException;
    }

    /** Writes to a temporary file next to {@code file}, forces it to disk, then renames it over {@code file}. */
    static void writeAtomically(Path file, ChannelWriter body) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        boolean ok = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException ex) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
