package org.gradlab.engine.backend.cpu;

import static org.gradlab.engine.backend.cpu.ReferenceCheck.assertClose;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.exactInF32;
import static org.gradlab.engine.backend.cpu.ReferenceCheck.relErr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gradlab.engine.DType;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.engine.backend.MatmulKernels;
import org.gradlab.engine.ops.Narrow;
import org.gradlab.engine.ops.PackedAttention;
import org.gradlab.engine.ops.ScaledDotProductAttention;
import org.junit.jupiter.api.Test;

/**
 * Attention on a packed (N, T, 3E) projection: float32 against the float64 reference (output,
 * weights, the packed gradient), float64 against the composed ops (q, k, v split by Narrow,
 * heads by reshape and permute, ScaledDotProductAttention, heads merged), and GEMM written into
 * strided views (the op's products) against the plain product.
 */
class PackedAttentionF32Test {
    private static final MatmulKernels MATMUL = CpuBackend.INSTANCE.matmul();
    private static final int[][] SHAPES = {{3, 7, 24, 3}, {2, 5, 18, 3}, {4, 9, 16, 1}, {2, 50, 48, 3}}; // N, T, E, heads

    @Test
    void float32MatchesTheReference() {
        Generator gen = new Generator(21);
        for (int[] s : SHAPES) {
            Tensor qkv = exactInF32(gen, s[0], s[1], 3 * s[2]);
            Tensor g = exactInF32(gen, s[0], s[1], s[2]);
            Tensor[] ref = packed(qkv, g, s[3]);
            Tensor[] fast = packed(qkv.to(DType.F32), g.to(DType.F32), s[3]);
            String what = "packed attention " + java.util.Arrays.toString(s) + ": ";
            assertClose(fast[0], ref[0], 1e-5, what + "output");
            assertClose(fast[1], ref[1], 1e-5, what + "weights");
            assertClose(fast[2], ref[2], 1e-5, what + "gradient");
        }
    }

    @Test
    void referenceMatchesTheComposedOps() {
        Generator gen = new Generator(22);
        for (int[] s : SHAPES) {
            Tensor qkv = exactInF32(gen, s[0], s[1], 3 * s[2]);
            Tensor g = exactInF32(gen, s[0], s[1], s[2]);
            Tensor[] packed = packed(qkv, g, s[3]);
            Tensor[] composed = composed(qkv, g, s[3]);
            String what = "packed vs composed " + java.util.Arrays.toString(s) + ": ";
            assertNear(packed[0], composed[0], 1e-12, what + "output");
            assertNear(packed[1], composed[1], 1e-12, what + "weights");
            assertNear(packed[2], composed[2], 1e-12, what + "gradient");
        }
    }

    private static Tensor[] packed(Tensor qkv, Tensor g, int heads) {
        Tensor x = qkv.detach().requiresGrad(true);
        PackedAttention.Result r = PackedAttention.apply(x, heads);
        r.out().backward(g);
        return new Tensor[] {r.out(), r.weights(), x.grad()};
    }

    private static Tensor[] composed(Tensor qkv, Tensor g, int heads) {
        Tensor x = qkv.detach().requiresGrad(true);
        int n = x.shape(0);
        int t = x.shape(1);
        int e = x.shape(2) / 3;
        Tensor[] parts = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            parts[i] = Narrow.apply(x, 2, i * e, e).reshape(n, t, heads, e / heads).permute(0, 2, 1, 3);
        }
        ScaledDotProductAttention.Result r = ScaledDotProductAttention.withWeights(parts[0], parts[1], parts[2]);
        Tensor out = r.out().permute(0, 2, 1, 3).reshape(n, t, e);
        out.backward(g);
        return new Tensor[] {out, r.weights(), x.grad()};
    }

    private static void assertNear(Tensor got, Tensor expected, double tol, String what) {
        double e = relErr(got, expected);
        assertTrue(e <= tol, what + ": relative error " + e + " > " + tol);
    }

    /** alpha · a @ b into a head view of a wider buffer: the view gets the product, the rest of the buffer stays. */
    @Test
    void matmulIntoStridedViewsMatchesTheProduct() {
        Generator gen = new Generator(23);
        for (boolean transposedB : new boolean[] {false, true}) {
            Tensor a = exactInF32(gen, 2, 3, 5, 4);
            Tensor b = transposedB ? exactInF32(gen, 2, 3, 6, 4).transpose(-2, -1) : exactInF32(gen, 2, 3, 4, 6);
            Tensor buffer = exactInF32(gen, 2, 5, 40); // (N, T, wide): the product goes to features [7, 25), 3 heads of 6
            double[] was = buffer.toDoubleArray();
            for (DType dt : new DType[] {DType.F64, DType.F32}) {
                Tensor into = buffer.to(dt);
                int[] st = into.strides();
                Tensor view = into.view(new int[] {2, 3, 5, 6}, new int[] {st[0], 6 * st[2], st[1], st[2]}, 7);
                MATMUL.matmulInto(view, a.to(dt), b.to(dt), 0.375);
                Tensor expected = MATMUL.matmul(a, b.contiguous()).mul(0.375);
                assertNear(view.contiguous(), expected, dt == DType.F32 ? 1e-6 : 1e-15,
                        "matmul into a strided view, " + dt + ", b transposed " + transposedB);
                double[] got = into.to(DType.F64).toDoubleArray();
                for (int i = 0; i < got.length; i++) {
                    int f = i % 40;
                    if (f < 7 || f >= 25) {
                        assertArrayEquals(new double[] {was[i]}, new double[] {got[i]}, 0, "element " + i + " outside the view");
                    }
                }
            }
        }
        Tensor a = exactInF32(gen, 6, 4);
        Tensor b = exactInF32(gen, 4, 3);
        Tensor wide = Tensor.zeros(DType.F32, a.device(), 6, 5);
        MATMUL.matmulInto(wide.view(new int[] {6, 3}, new int[] {5, 1}, 2), a.to(DType.F32), b.to(DType.F32), 1);
        assertClose(wide.view(new int[] {6, 3}, new int[] {5, 1}, 2).contiguous(), MATMUL.matmul(a, b), 1e-6, "2-D into columns [2, 5)");
    }
}
