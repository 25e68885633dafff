package org.gradlab.challenge.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class EnsemblesTest {
    /** Two members, four samples, two classes (column 1 is the class of interest). */
    static final double[][] A = {{0.9, 0.1}, {0.6, 0.4}, {0.3, 0.7}, {0.8, 0.2}};
    static final double[][] B = {{0.5, 0.5}, {0.99, 0.01}, {0.45, 0.55}, {0.4, 0.6}};

    @Test
    void meanProbability() {
        double[][] m = Ensembles.mean(List.of(A, B));
        assertArrayEquals(new double[] {0.7, 0.3}, m[0], 1e-12);
        assertArrayEquals(new double[] {0.795, 0.205}, m[1], 1e-12);
    }

    @Test
    void ranksShareTiesAsScipyRankdataAverage() {
        assertArrayEquals(new double[] {3, 1, 3, 3, 5}, Ensembles.ranks(new double[] {2, 1, 2, 2, 7}), 0);
        assertArrayEquals(new double[] {1.5, 1.5}, Ensembles.ranks(new double[] {4, 4}), 0);
    }

    @Test
    void rankAverageByHand() {
        // class 1: A = .1 .4 .7 .2 -> ranks 1 3 4 2 -> (r-1)/3 = 0 2/3 1 1/3
        //          B = .5 .01 .55 .6 -> ranks 2 1 3 4 -> 1/3 0 2/3 1
        double[][] r = Ensembles.rankAverage(List.of(A, B));
        assertArrayEquals(new double[] {1 / 6.0, 1 / 3.0, 5 / 6.0, 2 / 3.0},
                new double[] {r[0][1], r[1][1], r[2][1], r[3][1]}, 1e-12);
        // a confident member does not outweigh the other: B's 0.99 counts as a rank like any other
        assertArrayEquals(new double[] {5 / 6.0, 2 / 3.0, 1 / 6.0, 1 / 3.0},
                new double[] {r[0][0], r[1][0], r[2][0], r[3][0]}, 1e-12);
    }

    @Test
    void orRuleFlagsWhenAnyMemberFlagsAtItsOwnThreshold() {
        // A flags class 1 at >= 0.4, B at >= 0.58: sample 0 by neither (0.1, 0.5), 1 by A, 2 by both, 3 by B
        boolean[] f = Ensembles.orFlags(List.of(A, B), 1, new double[] {0.4, 0.58});
        assertArrayEquals(new boolean[] {false, true, true, true}, f);
        double[][] s = Ensembles.orRule(List.of(A, B), 1, new double[] {0.4, 0.58});
        assertArrayEquals(new double[] {0.5 / 0.58, 1.0, 0.7 / 0.4, 0.6 / 0.58},
                new double[] {s[0][1], s[1][1], s[2][1], s[3][1]}, 1e-12);
        assertArrayEquals(new double[] {0.7, 0.795, 0.375, 0.6}, new double[] {s[0][0], s[1][0], s[2][0], s[3][0]}, 1e-12);
        // a threshold exactly at the score flags (>=)
        assertArrayEquals(new boolean[] {false, false, true, false},
                Ensembles.orFlags(List.of(A, B), 1, new double[] {0.7, 0.9}));
    }

    @Test
    void refusesMismatchedMembers() {
        assertThrows(IllegalArgumentException.class, () -> Ensembles.mean(List.of(A, new double[][] {{1, 0}})));
        assertThrows(IllegalArgumentException.class, () -> Ensembles.orRule(List.of(A, B), 1, new double[] {0.5}));
        assertThrows(IllegalArgumentException.class, () -> Ensembles.mean(List.of()));
    }
}
