package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.ConvKernels.Conv2dParams;
import org.gradlab.engine.ops.Conv2d;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conv op's backward through {@code conv2dBackwardInputAndWeight} (both gradients wanted) and
 * the single calls (only one wanted), on convs whose float32 backward takes the shared Winograd pass
 * ({@link WinogradBackward32}; F(2x2) at 14x14 with 32 channels, F(4x4) at 7x7) and one that does
 * not (Cin 16: the two calls): float32 against the same graph in float64, at 1, 2 and 3 threads.
 */
class ConvBackwardTogetherTest {
    private final int saved = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
        Parallel.setMinChunkWork(0);
    }

    /** n, cin, cout, h, padding, whether the shared pass takes it, wants grad_x, wants grad_w. */
    static Stream<Arguments> cases() {
        Object[][] convs = {{3, 32, 64, 14, 1, true}, {2, 64, 128, 7, 1, true}, {2, 64, 64, 9, 0, true},
                {2, 16, 32, 14, 1, false}};
        boolean[][] wants = {{true, true}, {true, false}, {false, true}};
        return Stream.of(convs).flatMap(c -> Stream.of(wants).map(g -> Arguments.of(c[0], c[1], c[2], c[3], c[4], c[5],
                g[0], g[1])));
    }

    @ParameterizedTest(name = "n {0} cin {1} cout {2} {3}x{3} pad {4} shared {5}: grad_x {6}, grad_w {7}")
    @MethodSource("cases")
    void theOpsGradientsMatchTheFloat64Graph(int n, int cin, int cout, int h, int pad, boolean shared, boolean wantX,
                                             boolean wantW) {
        Conv2dParams cp = new Conv2dParams(1, pad, 1);
        CpuConv.Plan plan = CpuConv.Plan.of(new int[] {n, cin, h, h}, new int[] {cout, cin, 3, 3}, cp);
        assertEquals(shared, CpuConv.sharedWinograd(plan), "the shared pass takes this conv");
        Generator gen = new Generator(5);
        Tensor x64 = exactInF32(gen, n, cin, h, h);
        Tensor w64 = exactInF32(gen, cout, cin, 3, 3);
        Tensor b64 = exactInF32(gen, cout);
        Tensor g64 = exactInF32(gen, n, cout, h + 2 * pad - 2, h + 2 * pad - 2);
        Tensor[] ref = gradients(x64, w64, b64, g64, cp, wantX, wantW);
        double tol = CpuConv.winogradTile(plan) == WinogradTile.F2X2 ? 1e-5 : 5e-5;
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            Parallel.setMinChunkWork(1);
            Tensor[] got = gradients(x64.to(DType.F32), w64.to(DType.F32), b64.to(DType.F32), g64.to(DType.F32), cp, wantX,
                    wantW);
            String where = threads + " threads";
            for (int k = 0; k < 2; k++) {
                if (ref[k] != null) {
                    assertClose(got[k], ref[k], tol, where + (k == 0 ? ", grad_x" : ", grad_w"));
                }
            }
            assertClose(got[2], ref[2], 1e-5, where + ", grad_b");
        }
    }

    /** {grad_x or null, grad_w or null, grad_b} of sum(conv(x, w, b) * g), the leaves copied so each call starts fresh. */
    private static Tensor[] gradients(Tensor x0, Tensor w0, Tensor b0, Tensor g, Conv2dParams cp, boolean wantX,
                                      boolean wantW) {
        Tensor x = x0.detach().requiresGrad(wantX);
        Tensor w = w0.detach().requiresGrad(wantW);
        Tensor b = b0.detach().requiresGrad(true);
        Tensor out = Conv2d.apply(x, w, b, cp);
        out.backward(g);
        assertTrue(b.grad() != null, "grad_b");
        return new Tensor[] {wantX ? x.grad() : null, wantW ? w.grad() : null, b.grad()};
    }
}
