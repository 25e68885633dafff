package org.gradlab.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * conv2d.npz: every case, engine float64 vs the f64 group (rtol 1e-9) and engine float32 vs the
 * f64 group (rtol 1e-4, atol 1e-5), for out, grad_x, grad_weight and grad_bias (fed grad_out).
 */
class Conv2dGoldenTest {
    static final List<String> CASES = List.of("dw_k3s1p1_bias", "dw_k3s2p1_nobias", "k1s1p0_bias", "k1s2p0_nobias",
            "k3s1p1_28x28_bias", "k3s1p1_bias", "k3s1p1_nobias", "k3s2p1_bias", "k3s2p1_nobias", "k7s2p3_bias",
            "k7s2p3_nobias");

    static Stream<Arguments> cases() {
        return CASES.stream().flatMap(c -> Stream.of(Arguments.of(c, DType.F64), Arguments.of(c, DType.F32)));
    }

    @Test
    void fixtureHoldsExactlyTheDocumentedCases() {
        try (Npz z = Golden.open("conv2d.npz")) {
            assertEquals(new TreeSet<>(CASES), Golden.cases(z));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, DType dt) throws Exception {
        Map<String, String> p = Golden.params("conv2d.npz", name);
        assertEquals(1, Golden.intParam(p, "dilation"));
        boolean hasBias = Boolean.parseBoolean(p.get("bias"));
        double rtol = dt == DType.F64 ? 1e-9 : 1e-4;
        double atol = dt == DType.F64 ? 1e-12 : 1e-5;
        String ref = name + ".f64.";
        String in = name + "." + (dt == DType.F64 ? "f64" : "f32") + ".";
        try (Npz z = Golden.open("conv2d.npz")) {
            Tensor x = Golden.tensor(z, in + "x", dt).requiresGrad(true);
            Tensor w = Golden.tensor(z, in + "weight", dt).requiresGrad(true);
            Tensor b = hasBias ? Golden.tensor(z, in + "bias", dt).requiresGrad(true) : null;
            assertEquals(hasBias, z.has(in + "bias"));
            assertEquals(Golden.intParam(p, "kernel"), w.shape(2));
            assertEquals(Golden.intParam(p, "Cout"), w.shape(0));
            Tensor out = Conv2d.apply(x, w, b, Golden.intParam(p, "stride"), Golden.intParam(p, "padding"),
                    Golden.intParam(p, "groups"));
            String what = "conv2d " + name + " " + dt;
            Golden.assertClose(what + " out", z, ref + "out", out, rtol, atol);
            out.backward(Golden.tensor(z, in + "grad_out", dt));
            Golden.assertClose(what + " grad_x", z, ref + "grad_x", x.grad(), rtol, atol);
            Golden.assertClose(what + " grad_weight", z, ref + "grad_weight", w.grad(), rtol, atol);
            if (hasBias) {
                Golden.assertClose(what + " grad_bias", z, ref + "grad_bias", b.grad(), rtol, atol);
            }
        }
    }
}
