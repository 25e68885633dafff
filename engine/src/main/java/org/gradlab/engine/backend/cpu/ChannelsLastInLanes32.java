package org.gradlab.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The turn of {@link Depthwise32}'s channels-last path into one row per position, in the JDK's
 * vector API: dst[p][i] = flat[i * positions + p] (planes x positions floats, NCHW) as one
 * gathering load per vector of channels, lanes {@code positions} floats apart, instead of a scalar
 * load and store per element. Channels go in blocks of one vector, positions inside a block: the
 * block's lanes read the same cache lines for consecutive positions (a loop over all channels per
 * position reads lines {@code positions} floats apart, which on 16x16 planes fall into a few cache
 * sets and evict each other before the next position comes back to them).
 *
 * <p>NOTE: whole vectors: the last block reads flat up to {@link #padded}(planes) * positions and
 * writes each row up to padded(planes); callers size both for that (what lands past {@code planes}
 * is never read).
 */
final class ChannelsLastInLanes32 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private ChannelsLastInLanes32() {}

    /** n rounded up to whole vectors. */
    static int padded(int n) {
        return (n + L - 1) / L * L;
    }

    /** Where lane j of a vector of planes reads or writes: j * positions (the index map of the gathers and scatters). */
    private static int[] laneOffsets(int positions) {
        int[] lanes = new int[L];
        for (int j = 0; j < L; j++) {
            lanes[j] = j * positions;
        }
        return lanes;
    }

    /** dst[p][i] = flat[i * positions + p] for i &lt; planes (and on to padded(planes)), p &lt; positions. */
    static void toRows(float[] flat, int planes, int positions, float[][] dst) {
        int[] lanes = laneOffsets(positions);
        for (int i = 0; i < planes; i += L) {
            int at = i * positions;
            for (int p = 0; p < positions; p++) {
                FloatVector.fromArray(S, flat, at + p, lanes, 0).intoArray(dst[p], i);
            }
        }
    }

    /** flat[i * positions + p] = src[p][i] for i &lt; planes (and on to padded(planes)), p &lt; positions. */
    static void fromRows(float[][] src, int planes, int positions, float[] flat) {
        int[] lanes = laneOffsets(positions);
        for (int i = 0; i < planes; i += L) {
            int at = i * positions;
            for (int p = 0; p < positions; p++) {
                FloatVector.fromArray(S, src[p], i).intoArray(flat, at + p, lanes, 0);
            }
        }
    }
}
