package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.gradlab.engine.DType;
import org.gradlab.engine.Device;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;

/**
 * How the *F32PathTest classes compare a float32 fast path with the float64 reference: inputs
 * drawn in float32 (so both see the same numbers), results compared by the largest error
 * relative to the largest reference value.
 */
final class ReferenceCheck {
    private ReferenceCheck() {}

    /** A float64 tensor of uniform(-1, 1) values that float32 holds exactly. */
    static Tensor exactInF32(Generator gen, int... shape) {
        return Tensor.uniform(gen, -1, 1, DType.F32, Device.CPU, shape).to(DType.F64);
    }

    /** max |fast - ref| / max |ref| (0 when both are all zero). */
    static double relErr(Tensor fast, Tensor ref) {
        assertEquals(Arrays.toString(ref.shape()), Arrays.toString(fast.shape()), "shape");
        double[] x = fast.toDoubleArray();
        double[] r = ref.toDoubleArray();
        double d = 0;
        double m = 0;
        for (int i = 0; i < r.length; i++) {
            d = Math.max(d, Math.abs(x[i] - r[i]));
            m = Math.max(m, Math.abs(r[i]));
        }
        return m == 0 ? d : d / m;
    }

    /** Fails unless {@code fast} (float32) is within {@code tol} of {@code ref} (float64), see {@link #relErr}. */
    static void assertClose(Tensor fast, Tensor ref, double tol, String what) {
        assertEquals(DType.F32, fast.dtype(), what + ": the fast path's result");
        assertEquals(DType.F64, ref.dtype(), what + ": the reference's result");
        double e = relErr(fast, ref);
        assertTrue(e <= tol, what + ": relative error " + e + " > " + tol);
    }
}
