package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.io.Npz;
import org.gradlab.engine.testutil.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * maxpool2d.npz (incl. the *_ties cases and the int64 indices) and avgpool.npz: every case, engine
 * float64 vs the f64 group (rtol 1e-9) and float32 vs the f64 group (rtol 1e-4, atol 1e-5), out and grad_x.
 */
class PoolGoldenTest {
    static final List<String> MAX_CASES = List.of("k2s2", "k2s2_odd", "k2s2_ties", "k3s2p1", "k3s2p1_odd", "k3s2p1_ties");
    static final List<String> AVG_CASES = List.of("adaptive1", "adaptive1_1x1", "adaptive1_7x6", "avg_k2s2", "avg_k2s2_odd",
            "avg_k3s2p1_excpad", "avg_k3s2p1_incpad");

    static Stream<Arguments> with(List<String> names) {
        return names.stream().flatMap(c -> Stream.of(Arguments.of(c, DType.F64), Arguments.of(c, DType.F32)));
    }

    static Stream<Arguments> maxCases() {
        return with(MAX_CASES);
    }

    static Stream<Arguments> avgCases() {
        return with(AVG_CASES);
    }

    @Test
    void fixturesHoldExactlyTheDocumentedCases() throws Exception {
        try (Npz z = Golden.open("maxpool2d.npz")) {
            assertEquals(new TreeSet<>(MAX_CASES), Golden.cases(z));
        }
        try (Npz z = Golden.open("avgpool.npz")) {
            assertEquals(new TreeSet<>(AVG_CASES), Golden.cases(z));
        }
    }

    private static double rtol(DType dt) {
        return dt == DType.F64 ? 1e-9 : 1e-4;
    }

    private static double atol(DType dt) {
        return dt == DType.F64 ? 1e-12 : 1e-5;
    }

    private static String grp(DType dt) {
        return dt == DType.F64 ? ".f64." : ".f32.";
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("maxCases")
    void maxPoolMatchesPyTorch(String name, DType dt) throws Exception {
        Map<String, String> p = Golden.params("maxpool2d.npz", name);
        assertEquals("false", p.get("ceil_mode"));
        int k = Golden.intParam(p, "kernel");
        int s = Golden.intParam(p, "stride");
        int pad = Golden.intParam(p, "padding");
        try (Npz z = Golden.open("maxpool2d.npz")) {
            Tensor x = Golden.tensor(z, name + grp(dt) + "x", dt).requiresGrad(true);
            String what = "max_pool2d " + name + " " + dt;
            Tensor out = MaxPool2d.apply(x, k, s, pad);
            Golden.assertClose(what + " out", z, name + ".f64.out", out, rtol(dt), atol(dt));
            out.backward(Golden.tensor(z, name + grp(dt) + "grad_out", dt));
            Golden.assertClose(what + " grad_x", z, name + ".f64.grad_x", x.grad(), rtol(dt), atol(dt));
            for (String g : new String[] {".f64.", ".f32."}) {
                long[] ref = z.get(name + g + "indices").toLongs();
                assertArrayEquals(z.get(name + g + "indices").shape(), out.shape());
                double[] got = MaxPool2d.indices(x.detach(), k, s, pad).toDoubleArray();
                long[] gotL = new long[got.length];
                for (int i = 0; i < got.length; i++) {
                    gotL[i] = (long) got[i];
                    assertEquals(got[i], gotL[i], 0.0);
                }
                assertArrayEquals(ref, gotL, what + " indices vs" + g + "indices");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("avgCases")
    void avgPoolMatchesPyTorch(String name, DType dt) throws Exception {
        Map<String, String> p = Golden.params("avgpool.npz", name);
        try (Npz z = Golden.open("avgpool.npz")) {
            Tensor x = Golden.tensor(z, name + grp(dt) + "x", dt).requiresGrad(true);
            String what = name + " " + dt;
            Tensor out;
            if (p.get("op").equals("\"adaptive_avg_pool2d\"")) {
                String[] size = p.get("output_size").replaceAll("[\\[\\]\\s]", "").split(",");
                out = AdaptiveAvgPool2d.apply(x, Integer.parseInt(size[0]), Integer.parseInt(size[1]));
            } else {
                assertEquals("\"avg_pool2d\"", p.get("op"));
                assertEquals("false", p.get("ceil_mode"));
                String inc = p.get("count_include_pad");
                assertTrue(inc.equals("true") || inc.equals("false"), inc);
                out = AvgPool2d.apply(x, Golden.intParam(p, "kernel"), Golden.intParam(p, "stride"),
                        Golden.intParam(p, "padding"), Boolean.parseBoolean(inc));
            }
            Golden.assertClose(what + " out", z, name + ".f64.out", out, rtol(dt), atol(dt));
            out.backward(Golden.tensor(z, name + grp(dt) + "grad_out", dt));
            Golden.assertClose(what + " grad_x", z, name + ".f64.grad_x", x.grad(), rtol(dt), atol(dt));
        }
    }
}
