package org.gradlab.engine;

/**
 * Seeded random numbers: same seed, same numbers, on every backend (numbers are drawn on the
 * host and copied). SplitMix64 stream; normals by Box–Muller.
 */
public final class Generator {
    private long state;
    private double spareNormal;
    private boolean hasSpare;

    public Generator(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 <= 0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2 * Math.log(u1));
        spareNormal = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Everything that decides the numbers still to come (for checkpoints: a restored generator
     * continues exactly where the saved one stopped). The spare Box–Muller normal is kept as
     * its raw bits so the round trip is exact.
     */
    public record State(long state, long spareNormalBits, boolean hasSpare) {}

    public State state() {
        return new State(state, Double.doubleToRawLongBits(spareNormal), hasSpare);
    }

    public void restore(State s) {
        this.state = s.state();
        this.spareNormal = Double.longBitsToDouble(s.spareNormalBits());
        this.hasSpare = s.hasSpare();
    }

    /** A new independent generator derived from this one (for workers, layers). */
    public Generator fork() {
        return new Generator(nextLong());
    }
}
