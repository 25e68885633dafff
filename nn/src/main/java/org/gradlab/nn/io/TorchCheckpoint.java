package org.gradlab.nn.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Tensor;

/**
 * Reads PyTorch {@code torch.save(state_dict)} files into {@code LinkedHashMap<String, Tensor>}
 * (CPU, in the file's order) with the Java pickle library net.razorvine:pickle (its PyTorch hooks:
 * {@link TorchPickle}).
 *
 * <p>Formats:
 * <ul>
 * <li>zip (PyTorch >= 1.6 default): {@code <name>/data.pkl} is the pickled dict; tensors are
 *     {@code torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)} whose
 *     storage is a persistent id {@code ('storage', torch.FloatStorage, key, location, numel)}
 *     naming the raw little-endian entry {@code <name>/data/<key>}. Entry CRCs are verified.</li>
 * <li>legacy ({@code _use_new_zipfile_serialization=False}): consecutive pickles: magic number
 *     0x1950a86a20f9469cfc6c, protocol version 1001, sys info (must say little-endian), the dict
 *     (persistent ids carry a 6th element, view metadata), the sorted list of storage keys; then
 *     each storage as an 8-byte little-endian element count followed by its raw data.</li>
 * </ul>
 * Views are honoured: storage offset, size and stride (non-contiguous tensors are materialised
 * contiguous). dtypes: float32 → F32, float64 → F64; NOTE: int64 and int32 (e.g. BatchNorm's
 * {@code num_batches_tracked}, a 0-d int64) are loaded as F64 tensors holding the count (exact up
 * to 2^53), with the original shape (0-d stays 0-d). Other dtypes (half, bfloat16, bool, ...)
 * are rejected with a clear error. If the top-level object is a training checkpoint dict holding
 * {@code state_dict}, {@code model_state_dict} or {@code model}, that dict is returned.
 * Truncated or corrupt files raise {@link CheckpointFormatException} naming the file.
 */
public final class TorchCheckpoint {
    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchCheckpoint() {}

    /** Loads a state dict from a zip-format or legacy {@code .pth} file. */
    public static LinkedHashMap<String, Tensor> load(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 4);
            if (n < 4) {
                throw new CheckpointFormatException(file, "file is " + n + " bytes: too short for a PyTorch checkpoint");
            }
        }
        try {
            if (head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
                return loadZip(file);
            }
            if ((head[0] & 0xff) == 0x80) {
                return loadLegacy(file);
            }
            throw new CheckpointFormatException(file, "neither a zip archive nor a legacy pickle (first bytes "
                    + String.format("%02x %02x %02x %02x", head[0], head[1], head[2], head[3]) + ")");
        } catch (CheckpointFormatException ex) {
            throw ex;
        } catch (RuntimeException | IOException ex) {
            throw new CheckpointFormatException(file, "corrupt or truncated checkpoint: " + ex.getClass().getSimpleName(), ex);
        } catch (OutOfMemoryError ex) {
            throw new CheckpointFormatException(file, "corrupt checkpoint (implausible sizes)", ex);
        }
    }

    // ------------------------------------------------------------------ zip format

    private static LinkedHashMap<String, Tensor> loadZip(Path file) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException ex) {
            throw new CheckpointFormatException(file, "not a readable zip archive (truncated or corrupt)", ex);
        }
        try (zip) {
            ZipEntry pkl = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().endsWith("data.pkl") && (pkl == null || e.getName().length() < pkl.getName().length())) {
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new CheckpointFormatException(file, "zip archive has no <name>/data.pkl entry: not a PyTorch checkpoint");
            }
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Object obj = TorchPickle.load(file, new ByteArrayInputStream(readEntry(file, zip, pkl)), false);
            return materialise(file, obj, ref -> {
                ZipEntry e = zip.getEntry(prefix + "data/" + ref.key());
                if (e == null) {
                    throw new UncheckedCheckpointException(new CheckpointFormatException(file, "storage entry " + prefix + "data/" + ref.key()
                            + " is missing"));
                }
                try {
                    return readEntry(file, zip, e);
                } catch (IOException ex) {
                    throw new UncheckedCheckpointException(ex);
                }
            });
        }
    }

    private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e) throws IOException {
        byte[] b;
        try (InputStream in = zip.getInputStream(e)) {
            b = in.readAllBytes();
        } catch (ZipException ex) {
            throw new CheckpointFormatException(file, "cannot read zip entry " + e.getName(), ex);
        }
        if (e.getSize() >= 0 && b.length != e.getSize()) {
            throw new CheckpointFormatException(file, "zip entry " + e.getName() + " has " + b.length + " bytes, expected " + e.getSize());
        }
        CRC32 crc = new CRC32();
        crc.update(b);
        if (e.getCrc() >= 0 && crc.getValue() != e.getCrc()) {
            throw new CheckpointFormatException(file, "CRC mismatch in zip entry " + e.getName() + " (corrupt file)");
        }
        return b;
    }

    // ------------------------------------------------------------------ legacy format

    private static LinkedHashMap<String, Tensor> loadLegacy(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteArrayInputStream in = new ByteArrayInputStream(all);
        Object magic = TorchPickle.load(file, in, true);
        if (!(magic instanceof Number) || !MAGIC.equals(new BigInteger(magic.toString()))) {
            throw new CheckpointFormatException(file, "legacy checkpoint: bad magic number " + magic + " (expected 0x1950a86a20f9469cfc6c)");
        }
        Object protocol = TorchPickle.load(file, in, true);
        if (!(protocol instanceof Number p) || p.intValue() != 1001) {
            throw new CheckpointFormatException(file, "legacy checkpoint: unsupported protocol version " + protocol + " (expected 1001)");
        }
        Object sysInfo = TorchPickle.load(file, in, true);
        if (sysInfo instanceof Map<?, ?> si && Boolean.FALSE.equals(si.get("little_endian"))) {
            throw new CheckpointFormatException(file, "legacy checkpoint written on a big-endian machine: unsupported");
        }
        Object obj = TorchPickle.load(file, in, true);
        Object keysObj = TorchPickle.load(file, in, true);
        if (!(keysObj instanceof List<?> keys)) {
            throw new CheckpointFormatException(file, "legacy checkpoint: expected the list of storage keys after the data pickle, got "
                    + (keysObj == null ? "None" : keysObj.getClass().getSimpleName()));
        }
        Map<String, TorchPickle.StorageRef> refs = new HashMap<>();
        TorchPickle.collectRefs(obj, refs);
        Map<String, byte[]> data = new HashMap<>();
        int pos = all.length - in.available();
        for (Object k : keys) {
            String key = String.valueOf(k);
            if (all.length - pos < 8) {
                throw new CheckpointFormatException(file, "truncated: storage '" + key + "' size field missing at byte " + pos);
            }
            long count = ByteBuffer.wrap(all, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            pos += 8;
            TorchPickle.StorageRef ref = refs.get(key);
            int elem = ref != null ? ref.type().elemBytes() : 1;
            if (count < 0 || count * elem > all.length - pos) {
                throw new CheckpointFormatException(file, "truncated: storage '" + key + "' needs " + count + " elements of " + elem
                        + " bytes but only " + (all.length - pos) + " bytes remain");
            }
            int nb = (int) (count * elem);
            byte[] b = new byte[nb];
            System.arraycopy(all, pos, b, 0, nb);
            data.put(key, b);
            pos += nb;
        }
        return materialise(file, obj, ref -> {
            byte[] b = data.get(ref.key());
            if (b == null) {
                throw new UncheckedCheckpointException(new CheckpointFormatException(file, "storage '" + ref.key()
                        + "' is referenced but not in the storage list"));
            }
            return b;
        });
    }

    /** {@code collections.OrderedDict} with its attributes (e.g. {@code _metadata}) ignored. */
    public static final class PyOrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        public void __setstate__(HashMap<?, ?> state) {
            // instance attributes such as _metadata (module versions) carry no tensors
        }
    }

    private static final class UncheckedCheckpointException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedCheckpointException(IOException cause) {
            super(cause);
        }
    }

    // ------------------------------------------------------------------ tensors

    private static LinkedHashMap<String, Tensor> materialise(Path file, Object obj, Function<TorchPickle.StorageRef, byte[]> storages)
            throws IOException {
        Map<?, ?> dict = stateDictOf(file, obj);
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        Map<String, byte[]> cache = new HashMap<>();
        try {
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw new CheckpointFormatException(file, "state dict key " + e.getKey() + " is not a string");
                }
                if (!(e.getValue() instanceof TorchPickle.PendingTensor t)) {
                    throw new CheckpointFormatException(file, "state dict entry '" + name + "' is not a tensor ("
                            + (e.getValue() == null ? "None" : e.getValue().getClass().getSimpleName()) + ")");
                }
                byte[] data = cache.computeIfAbsent(t.storage().key(), k -> storages.apply(t.storage()));
                out.put(name, build(file, name, t, data));
            }
        } catch (UncheckedCheckpointException ex) {
            throw (IOException) ex.getCause();
        }
        return out;
    }

    private static Map<?, ?> stateDictOf(Path file, Object obj) throws CheckpointFormatException {
        if (!(obj instanceof Map<?, ?> m)) {
            throw new CheckpointFormatException(file, "top-level object is " + (obj == null ? "None" : obj.getClass().getSimpleName())
                    + ", expected a state dict");
        }
        if (!m.isEmpty() && m.values().stream().noneMatch(v -> v instanceof TorchPickle.PendingTensor)) {
            for (String k : new String[] {"state_dict", "model_state_dict", "model"}) {
                if (m.get(k) instanceof Map<?, ?> inner) {
                    return inner;
                }
            }
        }
        return m;
    }

    private static Tensor build(Path file, String name, TorchPickle.PendingTensor t, byte[] data) throws CheckpointFormatException {
        TorchPickle.StorageType type = t.storage().type();
        String dt = type.dtype();
        if (!dt.equals("float32") && !dt.equals("float64") && !dt.equals("int64") && !dt.equals("int32")) {
            throw new CheckpointFormatException(file, "tensor '" + name + "' has unsupported dtype " + dt
                    + " (supported: float32, float64, int64, int32)");
        }
        long available = data.length / type.elemBytes();
        if (t.size().length != t.stride().length) {
            throw new CheckpointFormatException(file, "tensor '" + name + "': size and stride ranks differ");
        }
        long numel = 1;
        long last = t.offset();
        for (int i = 0; i < t.size().length; i++) {
            if (t.size()[i] < 0 || t.stride()[i] < 0) {
                throw new CheckpointFormatException(file, "tensor '" + name + "': negative size or stride");
            }
            numel *= t.size()[i];
            last += (long) (t.size()[i] - 1) * t.stride()[i];
        }
        if (numel > 0 && (t.offset() < 0 || last >= available)) {
            throw new CheckpointFormatException(file, "tensor '" + name + "' reads element " + last + " of storage '" + t.storage().key()
                    + "' which holds " + available + " (truncated or corrupt)");
        }
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(numel);
        double[] vals = new double[n];
        int[] idx = new int[t.size().length];
        for (int i = 0; i < n; i++) {
            long e = t.offset();
            for (int d = 0; d < idx.length; d++) {
                e += (long) idx[d] * t.stride()[d];
            }
            int b = (int) (e * type.elemBytes());
            switch (dt) {
                case "float32": vals[i] = bb.getFloat(b); break;
                case "float64": vals[i] = bb.getDouble(b); break;
                case "int64": vals[i] = bb.getLong(b); break;
                default: vals[i] = bb.getInt(b); break;
            }
            for (int d = idx.length - 1; d >= 0; d--) {
                if (++idx[d] < t.size()[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return Tensor.of(dt.equals("float32") ? DType.F32 : DType.F64, Device.CPU, vals, t.size());
    }
}
