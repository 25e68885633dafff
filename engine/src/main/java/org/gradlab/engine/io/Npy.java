package org.gradlab.engine.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reader and writer for the NumPy {@code .npy} format, versions 1.0, 2.0 and 3.0.
 *
 * <p>Layout: magic {@code \x93NUMPY}, major and minor version bytes, header length (uint16 LE for
 * v1, uint32 LE for v2/v3), an ASCII (v3: UTF-8) Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }} padded with spaces and a
 * final newline, then the raw C-order data.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads one array from {@code bytes}; {@code name} is used in error messages. */
    public static NpyArray read(byte[] bytes, String name) {
        try {
            return read(new ByteArrayInputStream(bytes), name);
        } catch (IOException e) {
            throw new AssertionError(e); // cannot happen for a byte array
        }
    }

    /**
     * Reads one array from {@code in}, which must hold exactly one .npy (trailing bytes are an error).
     *
     * @throws NpyFormatException for a bad magic, unsupported header, or a size mismatch, naming {@code name}
     * @throws IOException        if the stream fails
     */
    public static NpyArray read(InputStream in, String name) throws IOException {
        Header h = readHeader(in, name);
        long expected = h.dataBytes();
        try {
            NpyArray.numel(h.shape());
        } catch (IllegalArgumentException e) {
            throw new NpyFormatException(name + ": " + e.getMessage());
        }
        if (expected > Integer.MAX_VALUE - 16) {
            throw new NpyFormatException(name + ": array of " + expected + " bytes is too large for a Java array");
        }
        byte[] data = in.readNBytes((int) expected);
        if (data.length != expected) {
            throw new NpyFormatException(name + ": header says " + h.dtype().descr() + " " + NpyArray.shapeString(h.shape())
                    + " = " + expected + " data bytes, but only " + data.length + " bytes follow");
        }
        if (in.read() != -1) {
            throw new NpyFormatException(name + ": header says " + h.dtype().descr() + " " + NpyArray.shapeString(h.shape())
                    + " = " + expected + " data bytes, but more bytes follow");
        }
        return new NpyArray(h.dtype(), h.shape(), data);
    }

    /**
     * What an npy header says: the element type, the C-order shape, and how many bytes the magic,
     * version, length and header dict take (the data starts there).
     */
    public record Header(NpyDType dtype, int[] shape, long headerBytes) {
        /** The number of data bytes the header promises. */
        public long dataBytes() {
            long n = dtype.itemSize();
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    /**
     * Reads the magic, version and header dict of one .npy from {@code in}, leaving it at the
     * first data byte.
     *
     * @throws NpyFormatException for a bad magic, an unsupported version or header, naming {@code name}
     */
    public static Header readHeader(InputStream in, String name) throws IOException {
        byte[] pre = in.readNBytes(8);
        if (pre.length < 8 || !startsWithMagic(pre)) {
            throw new NpyFormatException(name + ": bad npy magic: expected \\x93NUMPY, got " + hex(pre));
        }
        int major = pre[6] & 0xFF;
        int headerLen;
        int lengthBytes = major == 1 ? 2 : 4;
        if (major == 1) {
            byte[] l = readFully(in, 2, name, "header length");
            headerLen = (l[0] & 0xFF) | (l[1] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] l = readFully(in, 4, name, "header length");
            headerLen = (l[0] & 0xFF) | (l[1] & 0xFF) << 8 | (l[2] & 0xFF) << 16 | (l[3] & 0xFF) << 24;
            if (headerLen < 0) throw new NpyFormatException(name + ": npy header length overflows");
        } else {
            throw new NpyFormatException(name + ": unsupported npy version " + major + "." + (pre[7] & 0xFF)
                    + "; expected 1.0, 2.0 or 3.0");
        }
        String header = new String(readFully(in, headerLen, name, "header"),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyDType dtype = NpyDType.parse(field(DESCR, header, "descr", name), name);
        if (field(FORTRAN, header, "fortran_order", name).equals("True")) {
            throw new NpyFormatException(name + ": fortran_order=True is not supported; expected C order"
                    + " (save with np.ascontiguousarray)");
        }
        int[] shape = parseShape(field(SHAPE, header, "shape", name), name);
        Header h = new Header(dtype, shape, 8L + lengthBytes + headerLen);
        try {
            if (java.util.Arrays.stream(shape).anyMatch(d -> d < 0)) {
                throw new ArithmeticException("negative dimension");
            }
            h.dataBytes();
        } catch (ArithmeticException e) {
            throw new NpyFormatException(name + ": bad npy shape " + NpyArray.shapeString(shape) + ": " + e.getMessage());
        }
        return h;
    }

    public static void write(OutputStream out, NpyArray a) throws IOException {
        StringBuilder h = new StringBuilder("{'descr': '").append(a.dtype().descr())
                .append("', 'fortran_order': False, 'shape': ").append(a.shapeString()).append(", }");
        // NOTE: numpy pads so that magic + version + length + header is a multiple of 64 bytes.
        boolean v2 = h.length() + 1 + 10 > 65535;
        int prefix = v2 ? 12 : 10;
        int total = ((prefix + h.length() + 1 + 63) / 64) * 64;
        while (prefix + h.length() + 1 < total) h.append(' ');
        h.append('\n');
        int len = h.length();
        out.write(MAGIC);
        out.write(v2 ? 2 : 1);
        out.write(0);
        out.write(len & 0xFF);
        out.write((len >>> 8) & 0xFF);
        if (v2) {
            out.write((len >>> 16) & 0xFF);
            out.write((len >>> 24) & 0xFF);
        }
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(a.dataNoCopy());
    }

    /** The .npy encoding of {@code a}. */
    public static byte[] toBytes(NpyArray a) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(a.numel() * a.dtype().itemSize() + 128);
        try {
            write(bos, a);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bos.toByteArray();
    }

    private static boolean startsWithMagic(byte[] b) {
        for (int i = 0; i < MAGIC.length; i++) if (b[i] != MAGIC[i]) return false;
        return true;
    }

    private static byte[] readFully(InputStream in, int n, String name, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new NpyFormatException(name + ": truncated npy " + what + ": expected " + n
                    + " bytes, got " + b.length);
        }
        return b;
    }

    private static String field(Pattern p, String header, String key, String name) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new NpyFormatException(name + ": npy header has no valid '" + key + "': " + header.trim());
        }
        return m.group(1);
    }

    private static int[] parseShape(String s, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            if (t.endsWith("L")) t = t.substring(0, t.length() - 1); // Python 2 longs
            try {
                dims.add(Integer.parseInt(t));
            } catch (NumberFormatException e) {
                throw new NpyFormatException(name + ": bad dimension '" + t + "' in npy shape (" + s + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x & 0xFF));
        return b.length == 0 ? "<empty>" : sb.toString();
    }
}
