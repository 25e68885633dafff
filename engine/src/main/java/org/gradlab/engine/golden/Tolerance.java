package org.gradlab.engine.golden;

import org.gradlab.engine.DType;

/**
 * An array passes when {@code max|actual − ref| <= atol + rtol · max|ref|} (the relative error
 * reported is {@code max|diff| / max|ref|}).
 */
public record Tolerance(double rtol, double atol) {
    /** Float64 engine vs PyTorch's float64 group. */
    public static final Tolerance F64 = new Tolerance(1e-9, 1e-12);
    /** Float32 engine vs PyTorch's float64 group (single ops). */
    public static final Tolerance F32 = new Tolerance(1e-4, 1e-5);

    public static Tolerance of(DType engineDtype) {
        return engineDtype == DType.F64 ? F64 : F32;
    }

    public boolean accepts(double maxAbsErr, double maxAbsRef) {
        return maxAbsErr <= atol + rtol * maxAbsRef;
    }

    @Override
    public String toString() {
        return String.format("rtol=%.0e,atol=%.0e", rtol, atol);
    }
}
