package org.gradlab.challenge.run;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.gradlab.engine.Generator;
import org.gradlab.engine.Tensor;
import org.gradlab.nn.layers.Dropout;
import org.gradlab.nn.layers.Linear;
import org.gradlab.nn.layers.Sequential;
import org.gradlab.nn.optim.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint restores the dropout masks still to come, not only weights and optimizer state. */
class EpochCheckpointTest {
    private static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(4, 8, g), new Dropout(0.5, g.fork()), new Linear(8, 2, g));
    }

    @Test
    void resumedModelDrawsTheSameDropoutMasksAsTheUninterruptedOne(@TempDir Path dir) throws Exception {
        Sequential a = model(7);
        Adam optA = new Adam(a.parameters(), 1e-3);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, -1, -2, -3, -4}, 2, 4);
        a.train();
        a.call(x); // advance the dropout generator as an epoch would
        a.call(x);
        Path file = dir.resolve("ckpt.safetensors");
        EpochCheckpoint.save(file, a, optA, null, 1, new double[] {1.5}, "fp");
        float[] next = a.call(x).toFloatArray();

        Sequential b = model(99); // another seed: other weights, other generator state
        b.train();
        double[] secs = new double[1];
        int done = EpochCheckpoint.restore(file, b, new Adam(b.parameters(), 1e-3), null, secs, "fp");
        assertEquals(1, done);
        assertEquals(1.5, secs[0]);
        assertArrayEquals(next, b.call(x).toFloatArray(), "same weights and same mask after the restore");
        assertEquals(a.namedModules().size(), b.namedModules().size());
    }

    @Test
    void generatorStateRoundTripsExactlyIncludingTheSpareNormal() {
        Generator g = new Generator(3);
        g.nextGaussian(); // leaves a spare normal behind
        Generator h = new Generator(0);
        h.restore(g.state());
        assertEquals(g.nextGaussian(), h.nextGaussian());
        assertEquals(g.nextLong(), h.nextLong());
    }

    @Test
    void checkpointOfAnotherRecipeIsIgnored(@TempDir Path dir) throws Exception {
        Sequential a = model(1);
        Path file = dir.resolve("c.safetensors");
        EpochCheckpoint.save(file, a, new Adam(a.parameters(), 1e-3), null, 2, new double[] {1, 2}, "recipe-A");
        assertEquals(0, EpochCheckpoint.restore(file, a, new Adam(a.parameters(), 1e-3), null, new double[2], "recipe-B"));
    }
}
