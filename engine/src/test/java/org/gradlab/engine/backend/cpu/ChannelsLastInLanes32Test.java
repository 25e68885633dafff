package org.gradlab.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ChannelsLastInLanes32}'s turns against their definition, element by element (a turn moves
 * floats, so they must be equal), on channel counts that are and are not whole vectors and on one
 * to 256 positions; whatever lies past the planes' end is never part of the result. The conv tests
 * check the turns inside {@link Depthwise32} (ConvF32PathTest, ParallelPathsTest).
 */
class ChannelsLastInLanes32Test {
    static boolean vectors() {
        return VectorLanes.enabled();
    }

    @ParameterizedTest(name = "{0} planes x {1} positions")
    @CsvSource({"37, 1", "40, 4", "16, 16", "1, 5", "90, 256", "144, 64", "33, 7"})
    @EnabledIf("vectors")
    void turnsEveryElementToItsRowAndBack(int planes, int positions) {
        Random r = new Random(planes * 31L + positions);
        int padded = ChannelsLastInLanes32.padded(planes);
        float[] flat = new float[padded * positions];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = r.nextFloat() * 2 - 1;
        }
        float[][] rows = new float[positions][padded];
        ChannelsLastInLanes32.toRows(flat, planes, positions, rows);
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < planes; i++) {
                assertEquals(flat[i * positions + p], rows[p][i], "row " + p + ", channel " + i);
            }
        }

        float[] back = new float[padded * positions];
        ChannelsLastInLanes32.fromRows(rows, planes, positions, back);
        for (int i = 0; i < planes * positions; i++) {
            assertEquals(flat[i], back[i], "element " + i + " after the turn back");
        }
    }
}
