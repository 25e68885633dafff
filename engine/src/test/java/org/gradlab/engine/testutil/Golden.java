package org.gradlab.engine.testutil;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Shape;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.NpyArray;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.io.SharedFiles;

/**
 * Golden-fixture helpers: open an npz, read a case's parameters from MANIFEST.json, load arrays as
 * tensors and compare with a tolerance on the relative error max|diff| / max|ref|.
 * NOTE: missing fixtures fail (SharedFiles asserts), never skip.
 */
public final class Golden {
    private Golden() {}

    public static Npz open(String file) {
        try {
            return Npz.open(SharedFiles.file("golden/" + file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The case names of an npz (key prefix before the first dot). */
    public static TreeSet<String> cases(Npz z) {
        TreeSet<String> s = new TreeSet<>();
        for (String k : z.keys()) {
            s.add(k.substring(0, k.indexOf('.')));
        }
        return s;
    }

    /**
     * The scalar parameters of {@code file}'s case {@code name} in MANIFEST.json ("cases" section), as
     * raw JSON text per key (numbers, true/false, strings with quotes, [a, b] lists).
     */
    public static Map<String, String> params(String file, String name) {
        String json;
        try {
            json = Files.readString(SharedFiles.file("golden/MANIFEST.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int f = json.indexOf("\"" + file + "\"");
        assertTrue(f >= 0, "MANIFEST.json has no " + file);
        int cases = json.indexOf("\"cases\"", f);
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\\s*\\{([^{}]*)\\}").matcher(json);
        assertTrue(cases >= 0 && m.find(cases), "MANIFEST.json has no case " + file + "/" + name);
        Map<String, String> out = new TreeMap<>();
        Matcher kv = Pattern.compile("\"(\\w+)\":\\s*(\\[[^\\]]*\\]|\"[^\"]*\"|[^,\\s}]+)").matcher(m.group(1));
        while (kv.find()) {
            out.put(kv.group(1), kv.group(2));
        }
        return out;
    }

    public static int intParam(Map<String, String> p, String key) {
        assertTrue(p.containsKey(key), "missing parameter " + key + " in " + p);
        return Integer.parseInt(p.get(key).trim());
    }

    /** Array {@code key} as a CPU tensor of {@code dtype} (float32 fixtures up-cast exactly first). */
    public static Tensor tensor(Npz z, String key, DType dtype) {
        assertTrue(z.has(key), "fixture " + z.name() + " has no array " + key);
        NpyArray a = z.get(key);
        return Tensor.of(dtype, Device.CPU, a.toDoubles(), a.shape());
    }

    /** Asserts same shape and max|actual-ref| <= atol + rtol * max|ref|. */
    public static void assertClose(String what, Npz z, String refKey, Tensor actual, double rtol, double atol) {
        assertTrue(z.has(refKey), "fixture " + z.name() + " has no array " + refKey);
        NpyArray ref = z.get(refKey);
        assertArrayEquals(ref.shape(), actual.shape(), what + ": shape " + Shape.str(actual.shape()) + " vs reference "
                + Shape.str(ref.shape()));
        double[] r = ref.toDoubles();
        double[] a = actual.toDoubleArray();
        assertEquals(r.length, a.length);
        double maxDiff = 0;
        double maxRef = 0;
        int worst = -1;
        for (int i = 0; i < r.length; i++) {
            double d = Math.abs(a[i] - r[i]);
            if (!(d <= maxDiff)) {
                maxDiff = d;
                worst = i;
            }
            maxRef = Math.max(maxRef, Math.abs(r[i]));
        }
        double rel = maxDiff / Math.max(maxRef, Double.MIN_NORMAL);
        boolean ok = maxDiff <= atol + rtol * maxRef;
        assertTrue(ok, String.format("%s vs %s: max|diff| %.3g (rel %.3g, rtol %.1g, atol %.1g) at element %d: %.12g vs %.12g",
                what, refKey, maxDiff, rel, rtol, atol, worst, worst < 0 ? Double.NaN : a[worst],
                worst < 0 ? Double.NaN : r[worst]));
    }
}
