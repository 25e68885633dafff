package org.gradlab.nn.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * The pickle layer of {@link TorchCheckpoint}: the constructors PyTorch's pickles call
 * ({@code OrderedDict}, {@code _rebuild_tensor_v2}, the {@code torch.*Storage} classes) registered
 * with net.razorvine:pickle, and an unpickler that resolves storages lazily (as
 * {@link StorageRef}s), keeps dict order and rejects lengths beyond the data.
 */
final class TorchPickle {
    static {
        Unpickler.registerConstructor("collections", "OrderedDict", args -> {
            TorchCheckpoint.PyOrderedDict d = new TorchCheckpoint.PyOrderedDict();
            if (args.length > 0 && args[0] instanceof Collection<?> items) {
                for (Object it : items) {
                    Object[] kv = it instanceof Object[] a ? a : ((List<?>) it).toArray();
                    d.put(kv[0], kv[1]);
                }
            }
            return d;
        });
        IObjectConstructor rebuild = args -> {
            if (args.length < 4 || !(args[0] instanceof StorageRef s)) {
                throw new PickleException("_rebuild_tensor: expected (storage, offset, size, stride, ...)");
            }
            return new PendingTensor(s, s.viewOffset() + toLong(args[1]), toInts(args[2]), toInts(args[3]));
        };
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", rebuild);
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", rebuild);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        String[][] types = {{"FloatStorage", "float32", "4"}, {"DoubleStorage", "float64", "8"}, {"LongStorage", "int64", "8"},
                {"IntStorage", "int32", "4"}, {"HalfStorage", "float16", "2"}, {"BFloat16Storage", "bfloat16", "2"},
                {"ShortStorage", "int16", "2"}, {"CharStorage", "int8", "1"}, {"ByteStorage", "uint8", "1"},
                {"BoolStorage", "bool", "1"}};
        for (String[] t : types) {
            Unpickler.registerConstructor("torch", t[0], new StorageType(t[1], Integer.parseInt(t[2])));
        }
    }

    private TorchPickle() {}

    /** One pickle from {@code in}: the state dict (tensors as {@link PendingTensor}s), or a legacy header value. */
    static Object load(Path file, InputStream in, boolean legacy) throws IOException {
        return new TorchUnpickler(file, legacy).load(in);
    }

    /** Resolves storages lazily; keeps SETITEMS in order; rejects lengths beyond the data. */
    private static final class TorchUnpickler extends Unpickler {
        private final Path file;
        private final boolean legacy;

        TorchUnpickler(Path file, boolean legacy) {
            this.file = file;
            this.legacy = legacy;
        }

        @Override
        protected Object persistentLoad(Object pid) {
            Object[] t = pid instanceof Object[] a ? a : null;
            if (t == null || t.length < 5 || !"storage".equals(t[0])) {
                throw new PickleException("unsupported persistent id " + pid);
            }
            if (!(t[1] instanceof StorageType type)) {
                throw new PickleException("unsupported storage type " + t[1]);
            }
            long viewOffset = 0;
            if (t.length >= 6 && t[5] instanceof Object[] view && view.length >= 2) {
                viewOffset = toLong(view[1]); // old legacy files: (view_key, offset in elements, size) into root storage t[2]
            }
            return new StorageRef(type, String.valueOf(t[2]), toLong(t[4]), viewOffset);
        }

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            switch (key) {
                case 'u': { // SETITEMS: keep insertion order (the library goes through a HashMap)
                    List<Object> items = stack.pop_all_since_marker();
                    @SuppressWarnings("unchecked")
                    Map<Object, Object> m = (Map<Object, Object>) stack.peek();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                    return NO_RETURN_VALUE;
                }
                case 'X': case 'B': case 'T':
                    checkLength(4);
                    break;
                case 0x8d: case 0x8e: case 0x96:
                    checkLength(8);
                    break;
                default:
                    break;
            }
            return super.dispatch(key);
        }

        private void checkLength(int bytes) throws IOException {
            if (!input.markSupported()) {
                return;
            }
            input.mark(bytes);
            byte[] b = input.readNBytes(bytes);
            input.reset();
            if (b.length < bytes) {
                throw new EOFException("pickle ends inside a length field");
            }
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            long len = bytes == 4 ? Integer.toUnsignedLong(bb.getInt()) : bb.getLong();
            if (len < 0 || len > input.available() - bytes) {
                throw new PickleException("string/bytes length " + len + " exceeds the " + (input.available() - bytes)
                        + " bytes left in the pickle (truncated or corrupt" + (legacy ? " legacy file)" : ")") + " in " + file);
            }
        }
    }

    /** A {@code torch.<Type>Storage} class: dtype name and element size. */
    record StorageType(String dtype, int elemBytes) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch storage type " + dtype + " cannot be constructed directly");
        }
    }

    /** A tensor storage the pickle refers to: its type, the key of its data, and a legacy view offset. */
    record StorageRef(StorageType type, String key, long numel, long viewOffset) {}

    /** A tensor as the pickle describes it, before its storage bytes are read. */
    record PendingTensor(StorageRef storage, long offset, int[] size, int[] stride) {}

    /** Every storage the unpickled object refers to, by key. */
    static void collectRefs(Object o, Map<String, StorageRef> refs) {
        if (o instanceof PendingTensor t) {
            refs.put(t.storage().key(), t.storage());
        } else if (o instanceof Map<?, ?> m) {
            m.values().forEach(v -> collectRefs(v, refs));
        } else if (o instanceof Collection<?> c) {
            c.forEach(v -> collectRefs(v, refs));
        } else if (o instanceof Object[] a) {
            for (Object v : a) {
                collectRefs(v, refs);
            }
        }
    }

    static long toLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new PickleException("expected an integer, got " + o);
    }

    static int[] toInts(Object o) {
        Object[] a = o instanceof Object[] arr ? arr : o instanceof List<?> l ? l.toArray() : null;
        if (a == null) {
            throw new PickleException("expected a tuple of integers, got " + o);
        }
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.toIntExact(toLong(a[i]));
        }
        return r;
    }
}
