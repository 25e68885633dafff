package org.gradlab.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch norm + SiLU's element pass ({@link NormSilu32#siluOfAffine}) in the JDK's vector API: the
 * same operations in the same order on each element, so the same bits, in ONE pass over the block
 * with everything in registers. The plain loops need three passes and two bulk copies because C2
 * vectorises neither float-to-int bits nor a loop that long; here 2^n is t's bits shifted in
 * place ({@code reinterpretAsInts}), and the exponent's clamp is a compare and a blend per bound
 * (Java's {@code Math.min}/{@code max} semantics cost C2 about six vector instructions each; the
 * blend keeps NaN and -0 as they do: a NaN compares false and stays, the bounds are not zeros).
 *
 * <p>NOTE: the loop runs in whole vectors from 0: it reads x, scale and shift and writes x up to
 * {@code len} rounded up to a whole vector; callers size the arrays for that (the blocks are
 * {@link NormSilu32}'s, a multiple of the lane count) and never read what lands past {@code len}.
 */
final class NormSiluLanes32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** t's bits minus these are n + 127 (t = n + ROUND, {@link FloatMath32#powersOfTwo}). */
    private static final int BIAS_BITS = Float.floatToRawIntBits(FloatMath32.ROUND) - 127;

    private NormSiluLanes32() {}

    /** One past the last index {@link #siluOfAffine} writes for {@code len}: len rounded up to whole vectors. */
    static int end(int len) {
        return (len + L - 1) / L * L;
    }

    /**
     * x[i] = silu(y) = y / (1 + e^-y), y = x[i] * scale[i] + shift[i], for i &lt; len, in place, in
     * whole vectors: {@link NormSilu32#siluOfAffine}'s arithmetic, bit for bit.
     */
    static void siluOfAffine(float[] x, float[] scale, float[] shift, int len) {
        for (int i = 0; i < len; i += L) {
            FloatVector y = FloatVector.fromArray(S, x, i).mul(FloatVector.fromArray(S, scale, i))
                    .add(FloatVector.fromArray(S, shift, i));
            siluOf(y).intoArray(x, i);
        }
    }

    /** silu(y) lane by lane: {@link NormSilu32#siluOfAffine}'s steps after the affine. */
    private static FloatVector siluOf(FloatVector y) {
        FloatVector v = y.neg();
        v = v.blend(FloatMath32.EXP_MAX, v.compare(VectorOperators.GT, FloatMath32.EXP_MAX));
        v = v.blend(FloatMath32.EXP_MIN, v.compare(VectorOperators.LT, FloatMath32.EXP_MIN));
        FloatVector t = v.fma(FloatMath32.LOG2E, FloatMath32.ROUND);
        FloatVector n = t.sub(FloatMath32.ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -0.693359375f), v);
        r = n.fma(FloatVector.broadcast(S, 2.12194440e-4f), r);
        FloatVector r2 = r.mul(r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector e = p.fma(r2, r).add(1f);
        FloatVector twoToN = ((IntVector) t.reinterpretAsInts()).sub(BIAS_BITS).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return y.div(e.fma(twoToN, FloatVector.broadcast(S, 1f)));
    }
}
