package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.gradlab.engine.backend.UnaryFn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Batch norm + SiLU's element pass ({@link NormSilu32#siluOfAffine}: the affine, e^-y with its
 * polynomial in fused multiply-adds, one division) against the float64 reference silu of the same
 * float32 y = x * scale + shift, and the backward's sigmoid taken back from its output; the pass
 * in vector lanes ({@link NormSiluLanes32}) against the plain loops, bit for bit. The build runs
 * this class with the vector kernels and again without them.
 */
class NormSilu32Test {
    private static final int BLOCK = 2048;

    /** A dense grid over [-20, 20], special values (huge, ±inf, subnormal, ±0) and Gaussians, in blocks. */
    private static float[] inputs() {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1e-20f, -1e-20f, 30f, -30f, 87.9f,
            -87.9f, 88.5f, -88.5f, 100f, -100f, 3e6f, -3e6f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int dense = 40_001;
        float[] x = new float[dense + special.length + 5000];
        for (int i = 0; i < dense; i++) {
            x[i] = -20f + i * 1e-3f;
        }
        System.arraycopy(special, 0, x, dense, special.length);
        Random r = new Random(5);
        for (int i = dense + special.length; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 4);
        }
        return x;
    }

    /** out[i] = siluOfAffine over x in blocks of BLOCK, with these per-element coefficients. */
    private static float[] siluOfAffine(float[] x, float[] scale, float[] shift) {
        float[] out = new float[x.length];
        float[][] scratch = new float[7][BLOCK];
        float[] block = new float[BLOCK];
        float[] sc = new float[BLOCK];
        float[] sh = new float[BLOCK];
        for (int b = 0; b < x.length; b += BLOCK) {
            int len = Math.min(BLOCK, x.length - b);
            System.arraycopy(x, b, block, 0, len);
            System.arraycopy(scale, b, sc, 0, len);
            System.arraycopy(shift, b, sh, 0, len);
            NormSilu32.siluOfAffine(block, sc, sh, len, scratch);
            System.arraycopy(block, 0, out, b, len);
        }
        return out;
    }

    /**
     * Within 4 float32 ulps of the reference (or 2^-24 absolutely, where silu is a tiny negative
     * number: y e^y for y below about -17); NaN where the reference is NaN (the reference's
     * -inf / inf), else the reference's infinities.
     */
    @Test
    void siluOfTheAffineIsNearTheReference() {
        float[] x = inputs();
        float[] one = new float[x.length];
        float[] zero = new float[x.length];
        java.util.Arrays.fill(one, 1f);
        float[] scale = new float[x.length];
        float[] shift = new float[x.length];
        Random r = new Random(9);
        for (int i = 0; i < x.length; i++) {
            scale[i] = (float) (0.5 + r.nextDouble());
            shift[i] = (float) r.nextGaussian();
        }
        for (boolean affine : new boolean[] {false, true}) {
            float[] sc = affine ? scale : one;
            float[] sh = affine ? shift : zero;
            float[] out = siluOfAffine(x, sc, sh);
            for (int i = 0; i < x.length; i++) {
                float y = x[i] * sc[i] + sh[i];
                double ref = UnaryFn.SILU.apply(y, 0, 0);
                String what = "silu(" + y + ")";
                if (Double.isNaN(ref) || Double.isInfinite(ref)) {
                    assertEquals(ref, out[i], what);
                    continue;
                }
                double tol = Math.max(4 * Math.ulp((float) ref), 0x1p-24);
                assertTrue(Math.abs(out[i] - ref) <= tol, what + ": reference " + ref + ", got " + out[i] + ", "
                        + Math.abs(out[i] - ref) / Math.ulp((float) ref) + " ulps");
            }
        }
        float[] nan = siluOfAffine(new float[] {Float.NaN, 1f}, new float[] {1f, Float.NaN}, new float[] {0f, 0f});
        assertTrue(Float.isNaN(nan[0]) && Float.isNaN(nan[1]), "NaN propagates");
    }

    /** The vector pass gives the plain loops' bits, also for a length that is not a whole number of vectors. */
    @Test
    @EnabledIf("org.gradlab.engine.backend.cpu.TapSums32Test#vectors")
    void theVectorPassGivesThePlainLoopsBits() {
        float[] x = inputs();
        Random r = new Random(11);
        float[][] scratch = new float[7][BLOCK];
        for (int b = 0; b < x.length; b += BLOCK) {
            int len = Math.min(BLOCK, x.length - b) - r.nextInt(NormSiluLanes32.end(1));
            float[] block = new float[BLOCK];
            float[] scale = new float[BLOCK];
            float[] shift = new float[BLOCK];
            for (int i = 0; i < len; i++) {
                block[i] = x[b + i];
                scale[i] = b == 0 ? 1f : (float) (0.5 + r.nextDouble());
                shift[i] = b == 0 ? 0f : (float) r.nextGaussian();
            }
            float[] lanes = block.clone();
            NormSiluLanes32.siluOfAffine(lanes, scale, shift, len);
            NormSilu32.siluOfAffineInLoops(block, scale, shift, len, scratch);
            for (int i = 0; i < len; i++) {
                assertEquals(Float.floatToIntBits(block[i]), Float.floatToIntBits(lanes[i]),
                        "silu(" + x[b + i] + " * " + scale[i] + " + " + shift[i] + "): loops " + block[i] + ", lanes " + lanes[i]);
            }
        }
    }

    /**
     * The store pass over channels [1, C - 1) of an (N, C, S) output writes exactly those channels, each
     * element the element pass's bits, and the plane means the pool's (the sum of the stored plane /
     * S): planes of 4, 5, 16, 25 and 64 positions (whole vectors or not; with the vector kernels the
     * part vector at a block's end goes through the block), 7 and 300 channels (one block or several).
     */
    @Test
    void theStorePassWritesItsChannelsOnly() {
        Random r = new Random(13);
        for (int s : new int[] {4, 5, 16, 25, 64}) {
            for (int c : new int[] {7, 300}) {
                int n = 3;
                float[] x = new float[n * c * s];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (r.nextGaussian() * 3);
                }
                float[] scale = new float[c - 2];
                float[] shift = new float[c - 2];
                for (int j = 0; j < c - 2; j++) {
                    scale[j] = (float) (0.5 + r.nextDouble());
                    shift[j] = (float) r.nextGaussian();
                }
                org.gradlab.engine.Tensor out = org.gradlab.engine.Tensor.full(org.gradlab.engine.DType.F32, org.gradlab.engine.Device.CPU, -7, n, c, s);
                float[] means = new float[n * c];
                NormSilu32.affineSiluStore(java.nio.FloatBuffer.wrap(x), 0, n, c, s, 1, c - 1, scale, shift,
                        CpuBackend.storage(out), means);
                float[] got = out.toFloatArray();
                float[][] scratch = new float[7][BLOCK];
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        String where = "S " + s + ", C " + c + ", sample " + i + ", channel " + ch;
                        int at = (i * c + ch) * s;
                        if (ch == 0 || ch == c - 1) {
                            for (int k = 0; k < s; k++) {
                                assertEquals(-7f, got[at + k], where + ": outside the channels");
                            }
                            continue;
                        }
                        float[] want = java.util.Arrays.copyOfRange(x, at, at + BLOCK);
                        float[] sc = new float[BLOCK];
                        float[] sh = new float[BLOCK];
                        java.util.Arrays.fill(sc, scale[ch - 1]);
                        java.util.Arrays.fill(sh, shift[ch - 1]);
                        NormSilu32.siluOfAffineInLoops(want, sc, sh, s, scratch);
                        for (int k = 0; k < s; k++) {
                            assertEquals(Float.floatToIntBits(want[k]), Float.floatToIntBits(got[at + k]), where + ", position " + k);
                        }
                        assertEquals((float) (RowLoops32.sum(got, at, s) / s), means[i * c + ch], where + ": plane mean");
                    }
                }
                out.release();
            }
        }
    }

    /**
     * The backward's silu'(y) from this output (sigmoid(y) as out / y, {@link UnaryLoops32#multiplyBySiluDerivative})
     * stays within UnaryLoops32Test's bound for it: 8 ulps of the reference plus |y| * 2^-23.
     */
    @Test
    void theBackwardsDerivativeFromThisOutputStaysWithinItsBound() {
        float[] y = inputs();
        float[] one = new float[y.length];
        java.util.Arrays.fill(one, 1f);
        float[] out = siluOfAffine(y, one, new float[y.length]);
        float[] g = one.clone();
        UnaryLoops32.multiplyBySiluDerivative(g, y, out, y.length);
        for (int i = 0; i < y.length; i++) {
            if (!Float.isFinite(y[i])) {
                continue;
            }
            double ref = UnaryFn.SILU_DERIVATIVE.apply(y[i], 0, 0);
            double tol = 8 * Math.ulp((float) ref) + Math.abs(y[i]) * 0x1p-23;
            assertTrue(Math.abs(g[i] - ref) <= tol, "silu'(" + y[i] + "): reference " + ref + ", got " + g[i]);
        }
    }
}
