package org.gradlab.engine.backend;

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt in float64, for the references of
 * {@link UnaryFn} (Java has no erf; CUDA's math library does). Within 8 ulps (1e-15 relative) of
 * the C library's erf, which PyTorch uses, on a grid over [-6.6, 6.6].
 *
 * <p>|x| &lt; 2.5: the series erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·5···(2n+1)), whose
 * terms are all positive (no cancellation). |x| ≥ 2.5: erf(x) = 1 − erfc(x) with the continued
 * fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated
 * from the tail (erfc &lt; 4.1e-4 there, so the subtraction loses nothing).
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.12837916709551257390;
    private static final double ONE_OVER_SQRT_PI = 0.56418958354775628695;

    private Erf() {}

    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a < 2.5) {
            double x2 = a * a;
            double term = a;
            double sum = a;
            for (int n = 1; n < 200 && term > sum * 1e-18; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        } else if (a < 6) {
            double f = a; // tail first: the 60th level is far below float64 resolution for a >= 2.5
            for (int k = 60; k >= 1; k--) {
                f = a + (k / 2.0) / f;
            }
            r = 1 - ONE_OVER_SQRT_PI * Math.exp(-a * a) / f;
        } else {
            r = 1; // erfc(6) = 2.2e-17: below half an ulp of 1
        }
        return x < 0 ? -r : r;
    }
}
