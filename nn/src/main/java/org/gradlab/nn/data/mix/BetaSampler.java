package org.gradlab.nn.data.mix;

import org.gradlab.engine.Generator;

/**
 * Beta(a, b) draws on a seeded {@link Generator}: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
 * Gamma(k) by Marsaglia and Tsang (2000) for k >= 1: d = k - 1/3, c = 1/sqrt(9d), repeat
 * v = (1 + c z)^3 (z standard normal) until log u < z^2/2 + d - d v + d log v, return d v;
 * for k < 1, Gamma(k) = Gamma(k + 1) * u^(1/k).
 */
final class BetaSampler {
    private BetaSampler() {
    }

    static double beta(double a, double b, Generator rng) {
        if (!(a > 0) || !(b > 0)) {
            throw new IllegalArgumentException("Beta: expected positive parameters, got a=" + a + " b=" + b);
        }
        double x = gamma(a, rng);
        double y = gamma(b, rng);
        return x / (x + y);
    }

    static double gamma(double k, Generator rng) {
        if (k < 1) {
            double u = rng.nextDouble();
            return gamma(k + 1, rng) * Math.pow(u, 1 / k);
        }
        double d = k - 1.0 / 3.0;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double z = rng.nextGaussian();
            double v = 1 + c * z;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = rng.nextDouble();
            if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }
}
