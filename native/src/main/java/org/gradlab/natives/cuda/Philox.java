package org.gradlab.natives.cuda;

/**
 * CPU twin of the Philox4x32-10 counter-based generator in {@code dropout.cu} (Salmon et al. 2011),
 * so dropout masks drawn on the GPU can be reproduced and checked on the CPU.
 */
public final class Philox {
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {}

    /** Philox4x32-10 of counter {@code c} (4 words, modified in place) under key (k0, k1). */
    public static int[] philox4x32(int[] c, int k0, int k1) {
        for (int round = 0; round < 10; round++) {
            long p0 = M0 * (c[0] & 0xFFFFFFFFL);
            long p1 = M1 * (c[2] & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c[1] ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c[3] ^ k1;
            int n3 = (int) p0;
            c[0] = n0;
            c[1] = n1;
            c[2] = n2;
            c[3] = n3;
            k0 += W0;
            k1 += W1;
        }
        return c;
    }

    /** The uniform [0,1) draw for element {@code i} of a dropout call with (seed, offset). */
    public static double uniform(long seed, long offset, long i) {
        long g = i >>> 2;
        int[] c = {(int) g, (int) (g >>> 32), (int) offset, (int) (offset >>> 32)};
        philox4x32(c, (int) seed, (int) (seed >>> 32));
        return (c[(int) (i & 3)] & 0xFFFFFFFFL) * 2.3283064365386963e-10;
    }

    /** Whether dropout with probability p keeps element {@code i}. */
    public static boolean keep(long seed, long offset, long i, double p) {
        return uniform(seed, offset, i) >= p;
    }
}
