package org.gradlab.engine.backend.cpu;

/**
 * The channels-last inner loops of {@link Depthwise32}: the (output position p, tap t, input
 * position q) triples taken as RUNS that share a destination row (the forward's output row p,
 * dL/dx's row q, dL/dw's tap t), each pass over the channels adding up to three products:
 * dst[c] = dst[c] + a0[c]*b0[c] + a1[c]*b1[c] + a2[c]*b2[c], left to right. The same sums in the
 * same order as one product per pass (the same bits), with dst loaded and stored once per three
 * products instead of once per product: the one-product loop does three loads and a store per
 * multiply-add, which bounds it on the first-level cache. NOTE: every array in a pass is indexed
 * by the same {@code c}, so C2 vectorises it; with four products (nine arrays) JDK 17's C2 leaves
 * the loop scalar, 3x slower (bench/README.md, "Depthwise convs").
 */
final class DepthwiseRuns32 {
    private DepthwiseRuns32() {}

    /** Triple fields: output position, tap, input position. */
    static final int P = 0;
    static final int T = 1;
    static final int Q = 2;

    /**
     * The triples (int offsets, three per triple) reordered so that those with the same {@code dest}
     * field are consecutive, in their original order within a destination (so each destination
     * sums its products in the original order), separately within each range of {@code chunk}
     * triples (so a range's set of products stays the same).
     */
    static int[] byDestination(int[] triples, int dest, int chunk) {
        int[] out = new int[triples.length];
        int count = triples.length / 3;
        for (int c0 = 0; c0 < count; c0 += chunk) {
            int c1 = Math.min(count, c0 + chunk);
            int max = 0;
            for (int k = c0; k < c1; k++) {
                max = Math.max(max, triples[3 * k + dest]);
            }
            int[] start = new int[max + 2]; // counting sort, stable
            for (int k = c0; k < c1; k++) {
                start[triples[3 * k + dest] + 1]++;
            }
            for (int v = 0; v <= max; v++) {
                start[v + 1] += start[v];
            }
            for (int k = c0; k < c1; k++) {
                int at = 3 * (c0 + start[triples[3 * k + dest]]++);
                System.arraycopy(triples, 3 * k, out, at, 3);
            }
        }
        return out;
    }

    /**
     * For the triples k0 .. k1 (int offsets) of {@code tr}: dst[tr.dest][c] += a[tr.fa][c] * b[tr.fb][c]
     * for c < width, each run of one destination up to three products per pass (class comment).
     */
    static void accumulate(int[] tr, int k0, int k1, int dest, float[][] dst, int fa, float[][] a, int fb, float[][] b,
                           int width) {
        int k = k0;
        while (k < k1) {
            int row = tr[k + dest];
            int end = k + 3;
            while (end < k1 && tr[end + dest] == row) {
                end += 3;
            }
            float[] d = dst[row];
            for (; end - k >= 9; k += 9) {
                add3(d, a[tr[k + fa]], b[tr[k + fb]], a[tr[k + 3 + fa]], b[tr[k + 3 + fb]], a[tr[k + 6 + fa]],
                        b[tr[k + 6 + fb]], width);
            }
            if (end - k == 6) {
                add2(d, a[tr[k + fa]], b[tr[k + fb]], a[tr[k + 3 + fa]], b[tr[k + 3 + fb]], width);
            } else if (end - k == 3) {
                add1(d, a[tr[k + fa]], b[tr[k + fb]], width);
            }
            k = end;
        }
    }

    private static void add3(float[] d, float[] a0, float[] b0, float[] a1, float[] b1, float[] a2, float[] b2, int width) {
        for (int c = 0; c < width; c++) {
            d[c] = d[c] + a0[c] * b0[c] + a1[c] * b1[c] + a2[c] * b2[c];
        }
    }

    private static void add2(float[] d, float[] a0, float[] b0, float[] a1, float[] b1, int width) {
        for (int c = 0; c < width; c++) {
            d[c] = d[c] + a0[c] * b0[c] + a1[c] * b1[c];
        }
    }

    private static void add1(float[] d, float[] a0, float[] b0, int width) {
        for (int c = 0; c < width; c++) {
            d[c] += a0[c] * b0[c];
        }
    }
}
